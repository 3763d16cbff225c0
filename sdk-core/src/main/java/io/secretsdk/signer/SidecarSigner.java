package io.secretsdk.signer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.secretsdk.SecretException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A signer that calls the signer sidecar over HTTP/1.1 with keep-alive connections.
 *
 * <p>Every request has deadlines for the connection, the headers and the body, so a call never
 * hangs. Connection failures and {@code 502}/{@code 503}/{@code 504} answers are
 * retried a bounded number of times (signing is idempotent); then {@link
 * SignerUnavailableException}. A {@code 4xx} answer is the caller's problem and is never retried:
 * {@link SigningKeyNotFoundException} for an unknown key, {@link SecretException} otherwise.
 */
final class SidecarSigner implements Signer {

  private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

  private final URI base;
  private final String baseString;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final int retries;
  private final Duration retryBackoff;
  private final int batchSize;
  private final int maxRequestBytes;
  private final BodyDeadlines deadlines = new BodyDeadlines("secretsdk-signer-client-deadlines");
  private final HttpResponse.BodyHandler<byte[]> bodyHandler;
  private volatile boolean closed;

  SidecarSigner(SidecarSignerBuilder b) {
    String s = b.baseUri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    this.baseString = s;
    this.base = URI.create(s);
    this.requestTimeout = b.requestTimeout;
    this.retries = b.retries;
    this.retryBackoff = b.retryBackoff;
    this.batchSize = b.batchSize;
    this.maxRequestBytes = b.maxRequestBytes;
    this.bodyHandler = deadlines.ofByteArray(b.requestTimeout);
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .proxy(java.net.ProxySelector.of(null))
            .build();
  }

  @Override
  public String sign(String keyName, byte[] message, HmacAlgorithm algorithm) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(algorithm, "algorithm");
    byte[] body =
        SignerJson.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("input", Base64.getEncoder().encodeToString(message));
              if (algorithm != HmacAlgorithm.SHA256) {
                g.writeStringField("algorithm", algorithm.wireName());
              }
              g.writeEndObject();
            });
    byte[] response = post("hmac", keyName, body);
    return parse(response, "hmac", p -> stringValue(p, "hmac"));
  }

  @Override
  public boolean verify(String keyName, byte[] message, String signature) {
    Objects.requireNonNull(message, "message");
    byte[] body =
        SignerJson.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("input", Base64.getEncoder().encodeToString(message));
              g.writeStringField("hmac", signature == null ? "" : signature);
              g.writeEndObject();
            });
    byte[] response = post("verify", keyName, body);
    return parse(response, "valid", p -> booleanValue(p, "valid"));
  }

  @Override
  public List<String> signBatch(String keyName, List<byte[]> messages, HmacAlgorithm algorithm) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(algorithm, "algorithm");
    List<String> out = new ArrayList<>(messages.size());
    int start = 0;
    while (start < messages.size()) {
      int end = chunkEnd(messages, null, start);
      List<byte[]> chunk = messages.subList(start, end);
      byte[] body =
          SignerJson.write(
              g -> {
                g.writeStartObject();
                if (algorithm != HmacAlgorithm.SHA256) {
                  g.writeStringField("algorithm", algorithm.wireName());
                }
                g.writeArrayFieldStart("batch_input");
                for (byte[] m : chunk) {
                  g.writeStartObject();
                  g.writeStringField("input", Base64.getEncoder().encodeToString(m));
                  g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
              });
      List<String> results = parse(post("hmac", keyName, body), "batch_results", p -> batch(p, "hmac", chunk.size(), true));
      out.addAll(results);
      start = end;
    }
    return List.copyOf(out);
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(signatures, "signatures");
    if (messages.size() != signatures.size()) {
      throw new IllegalArgumentException(
          "verifyBatch needs one signature per message: " + messages.size() + " messages, " + signatures.size() + " signatures");
    }
    List<Boolean> out = new ArrayList<>(messages.size());
    int start = 0;
    while (start < messages.size()) {
      int end = chunkEnd(messages, signatures, start);
      List<byte[]> chunk = messages.subList(start, end);
      List<String> sigs = signatures.subList(start, end);
      byte[] body =
          SignerJson.write(
              g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("batch_input");
                for (int i = 0; i < chunk.size(); i++) {
                  g.writeStartObject();
                  g.writeStringField("input", Base64.getEncoder().encodeToString(chunk.get(i)));
                  String sig = sigs.get(i);
                  g.writeStringField("hmac", sig == null ? "" : sig);
                  g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
              });
      List<String> results = parse(post("verify", keyName, body), "batch_results", p -> batch(p, "valid", chunk.size(), false));
      for (String r : results) {
        out.add(Boolean.valueOf(r));
      }
      start = end;
    }
    return List.copyOf(out);
  }

  /** The end of the chunk starting at {@code start}: at most batchSize items and maxRequestBytes of JSON. */
  private int chunkEnd(List<byte[]> messages, List<String> signatures, int start) {
    long bytes = 64;
    int end = start;
    while (end < messages.size() && end - start < batchSize) {
      byte[] m = messages.get(end);
      if (m == null) {
        throw new NullPointerException("messages[" + end + "] is null");
      }
      long item = 16 + 4L * ((m.length + 2) / 3);
      if (signatures != null) {
        String s = signatures.get(end);
        // Worst case: every character escaped as \\uXXXX.
        item += 12 + (s == null ? 0 : 6L * s.length());
      }
      if (end > start && bytes + item > maxRequestBytes) {
        break;
      }
      bytes += item;
      end++;
    }
    return end;
  }

  private byte[] post(String operation, String keyName, byte[] body) {
    Objects.requireNonNull(keyName, "keyName");
    if (closed) {
      throw new IllegalStateException("the signer is closed");
    }
    URI uri = URI.create(baseString + "/v1/" + operation + "/" + encodeSegment(keyName));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    Throwable lastFailure = null;
    String lastAnswer = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        pause(attempt);
      }
      HttpResponse<byte[]> response;
      try {
        response = exchange(request);
      } catch (HttpTimeoutException e) {
        if (e instanceof HttpConnectTimeoutException) {
          lastFailure = e;
          continue;
        }
        throw new SignerUnavailableException(
            "signer sidecar at " + base + " did not answer within " + requestTimeout + " (not retried)", e);
      } catch (IOException e) {
        lastFailure = e;
        continue;
      }
      int status = response.statusCode();
      if (status == 200) {
        return response.body();
      }
      String message = errorMessage(response.body());
      if (status == 502 || status == 503 || status == 504) {
        lastAnswer = "HTTP " + status + ": " + message;
        lastFailure = null;
        continue;
      }
      if (status == 404 && !message.startsWith("no such endpoint")) {
        throw new SigningKeyNotFoundException(keyName, "signer sidecar at " + base + ": " + message);
      }
      throw new SecretException(
          "signer sidecar at " + base + " refused the request (HTTP " + status + "): " + message);
    }
    String why = lastFailure != null ? describe(lastFailure) : lastAnswer;
    throw new SignerUnavailableException(
        "signer sidecar at " + base + " is unavailable after " + (retries + 1) + " attempt" + (retries == 0 ? "" : "s") + ": " + why,
        lastFailure);
  }

  /**
   * One exchange on the calling thread ({@code send}, not {@code sendAsync}: the asynchronous form
   * hands every completion to another thread, which doubles the latency). The request timeout
   * covers the wait for the headers; {@link BodyDeadlines} covers the body.
   */
  private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException {
    try {
      return client.send(request, bodyHandler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignerUnavailableException("interrupted while waiting for the signer sidecar at " + base, e);
    }
  }

  private void pause(int attempt) {
    long millis = Math.min(1000, retryBackoff.toMillis() << Math.min(attempt - 1, 10));
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignerUnavailableException("interrupted while retrying the signer sidecar at " + base, e);
    }
  }

  private static String describe(Throwable t) {
    if (t instanceof ConnectException) {
      return "connection refused (is the sidecar running and listening there?)";
    }
    if (t instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + HmacAlgorithm.abbreviate(m));
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  static String encodeSegment(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /** Reads a JSON response with the given field reader. */
  @FunctionalInterface
  private interface FieldReader<T> {
    T read(JsonParser p) throws IOException;
  }

  private <T> T parse(byte[] body, String field, FieldReader<T> reader) {
    if (body.length > MAX_RESPONSE_BYTES) {
      throw unexpected("answer too large");
    }
    try (JsonParser p = SignerJson.FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw unexpected("not a JSON object");
      }
      T value = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals(field)) {
          value = reader.read(p);
        } else {
          p.skipChildren();
        }
      }
      if (value == null) {
        throw unexpected("no " + field + " field");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw unexpected("malformed JSON");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String stringValue(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new JsonProcessingException(field + " is not a string") {
        private static final long serialVersionUID = 1L;
      };
    }
    return p.getText();
  }

  private static Boolean booleanValue(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw new JsonProcessingException(field + " is not a boolean") {
        private static final long serialVersionUID = 1L;
      };
    }
    return t == JsonToken.VALUE_TRUE;
  }

  /** {@code [{"hmac": "..."}, ...]} or {@code [{"valid": b}, ...]}, as strings. */
  private List<String> batch(JsonParser p, String field, int expected, boolean string) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw unexpected("batch_results is not an array");
    }
    List<String> out = new ArrayList<>(expected);
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String value = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals(field)) {
          value = string ? stringValue(p, field) : booleanValue(p, field).toString();
        } else {
          p.skipChildren();
        }
      }
      if (value == null) {
        throw unexpected("a batch result has no " + field);
      }
      out.add(value);
    }
    if (p.currentToken() != JsonToken.END_ARRAY || out.size() != expected) {
      throw unexpected("expected " + expected + " batch results, got " + out.size());
    }
    return out;
  }

  private SecretException unexpected(String what) {
    return new SecretException("unexpected answer from the signer sidecar at " + base + ": " + what);
  }

  /** The {@code errors} of an error answer, joined; or a note that there were none. */
  private static String errorMessage(byte[] body) {
    try (JsonParser p = SignerJson.FACTORY.createParser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if (name.equals("errors") && p.currentToken() == JsonToken.START_ARRAY) {
            List<String> errors = new ArrayList<>();
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              errors.add(HmacAlgorithm.abbreviate(p.getText(), 500));
            }
            if (!errors.isEmpty()) {
              return String.join("; ", errors);
            }
          } else {
            p.skipChildren();
          }
        }
      }
    } catch (IOException e) {
      // Not our JSON: fall through.
    }
    return "(no error message in the answer)";
  }

  @Override
  public void close() {
    closed = true;
    deadlines.close();
    // HttpClient is AutoCloseable from Java 21; on 17 its threads end once it is unreachable.
    Object c = client;
    if (c instanceof AutoCloseable) {
      try {
        ((AutoCloseable) c).close();
      } catch (Exception e) {
        // Closing is best effort.
      }
    }
  }

  @Override
  public String toString() {
    return "SidecarSigner[" + base + "]";
  }
}
