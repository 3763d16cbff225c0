package io.secretsdk.signer;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.secretsdk.signer.SignerJson.HttpError;
import io.secretsdk.signer.SignerJson.Item;
import io.secretsdk.signer.SignerJson.Request;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The sidecar's HTTP API, modelled on Vault's transit engine:
 *
 * <ul>
 *   <li>{@code POST /v1/hmac/{key}[/{algorithm}]}: {@code {"input": b64}} to {@code {"hmac": sig}};
 *       {@code {"batch_input": [{"input": b64}, ...]}} to {@code {"batch_results": [{"hmac": sig}]}}
 *   <li>{@code POST /v1/verify/{key}}: {@code {"input": b64, "hmac": sig}} to {@code {"valid": b}},
 *       and the batch form
 *   <li>{@code GET /v1/health}: status, key names and ids; 503 when no key is usable
 * </ul>
 *
 * Errors are {@code {"errors": ["..."]}}: 400 malformed JSON or base64, 404 unknown key or path, 405
 * wrong method, 413 body or batch over its limit, 415 not JSON. Messages never contain key bytes
 * or stack traces.
 */
final class SidecarHandler implements HttpHandler {

  private static final System.Logger LOG = System.getLogger(SignerSidecar.class.getName());
  private static final String HEALTH = "/v1/health";
  private static final String HMAC = "/v1/hmac/";
  private static final String VERIFY = "/v1/verify/";

  private final LocalSigner signer;
  private final Clock clock;
  private final int maxBodyBytes;
  private final int maxBatch;
  private final long drainLimit;

  SidecarHandler(LocalSigner signer, Clock clock, int maxBodyBytes, int maxBatch) {
    this.signer = signer;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
    this.maxBatch = maxBatch;
    this.drainLimit = Math.max(16L * maxBodyBytes, 16L * 1024 * 1024);
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      route(exchange);
    } catch (HttpError e) {
      error(exchange, e.status, e.getMessage(), e.allow);
    } catch (SigningKeyNotFoundException e) {
      error(exchange, 404, e.getMessage(), null);
    } catch (IOException e) {
      // The client went away; nothing to answer.
    } catch (RuntimeException | Error e) {
      // Class name only: a message could in principle carry request data.
      LOG.log(Level.WARNING, "signer request failed unexpectedly: " + e.getClass().getName());
      error(exchange, 500, "internal error", null);
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    String method = exchange.getRequestMethod();
    if (path == null) {
      path = "";
    }
    if (path.equals(HEALTH)) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        throw new HttpError(405, "method " + HmacAlgorithm.abbreviate(method) + " is not allowed on " + HEALTH + "; use GET", "GET, HEAD");
      }
      health(exchange, method.equals("HEAD"));
      return;
    }
    boolean sign = path.startsWith(HMAC);
    boolean verify = path.startsWith(VERIFY);
    if (!sign && !verify) {
      throw new HttpError(404, "no such endpoint: " + HmacAlgorithm.abbreviate(path) + " (use /v1/hmac/{key}, /v1/verify/{key} or /v1/health)");
    }
    String rest = path.substring(sign ? HMAC.length() : VERIFY.length());
    int slash = rest.indexOf('/');
    String rawKey = slash < 0 ? rest : rest.substring(0, slash);
    String pathAlgorithm = slash < 0 ? null : rest.substring(slash + 1);
    if (rawKey.isEmpty() || (pathAlgorithm != null && (pathAlgorithm.isEmpty() || pathAlgorithm.indexOf('/') >= 0))) {
      throw new HttpError(404, "no such endpoint: " + HmacAlgorithm.abbreviate(path) + " (use /v1/" + (sign ? "hmac" : "verify") + "/{key})");
    }
    if (!method.equals("POST")) {
      throw new HttpError(405, "method " + HmacAlgorithm.abbreviate(method) + " is not allowed here; use POST", "POST");
    }
    requireJson(exchange.getRequestHeaders());
    byte[] body = readBody(exchange);
    Request request = SignerJson.parseRequest(body, verify, maxBatch);
    String keyName = decodeKeyName(rawKey);
    HmacAlgorithm algorithm = algorithm(pathAlgorithm, request.algorithm);
    byte[] response = sign ? sign(keyName, algorithm, request) : verify(keyName, request);
    respond(exchange, 200, response, false);
  }

  private byte[] sign(String keyName, HmacAlgorithm algorithm, Request request) {
    KeyVersion key = signer.currentKey(keyName);
    if (request.single != null) {
      String signature = key.sign(algorithm, SignerJson.base64(request.single.input, "input"));
      return SignerJson.write(
          g -> {
            g.writeStartObject();
            g.writeStringField("hmac", signature);
            g.writeEndObject();
          });
    }
    List<Item> items = request.batch;
    String[] signatures = new String[items.size()];
    for (int i = 0; i < signatures.length; i++) {
      signatures[i] = key.sign(algorithm, SignerJson.base64(items.get(i).input, "batch_input[" + i + "].input"));
    }
    return SignerJson.write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("batch_results");
          for (String s : signatures) {
            g.writeStartObject();
            g.writeStringField("hmac", s);
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private byte[] verify(String keyName, Request request) {
    KeyRing.State st = signer.state(keyName);
    KeyRing ring = signer.ring(keyName);
    Instant now = clock.instant();
    if (request.single != null) {
      boolean valid = check(ring, st, request.single, "input", now);
      return SignerJson.write(
          g -> {
            g.writeStartObject();
            g.writeBooleanField("valid", valid);
            g.writeEndObject();
          });
    }
    List<Item> items = request.batch;
    boolean[] valid = new boolean[items.size()];
    for (int i = 0; i < valid.length; i++) {
      valid[i] = check(ring, st, items.get(i), "batch_input[" + i + "].input", now);
    }
    return SignerJson.write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("batch_results");
          for (boolean v : valid) {
            g.writeStartObject();
            g.writeBooleanField("valid", v);
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private boolean check(KeyRing ring, KeyRing.State st, Item item, String field, Instant now) {
    byte[] message = SignerJson.base64(item.input, field);
    LocalSigner.Parsed parsed = LocalSigner.Parsed.of(item.hmac);
    return parsed != null && signer.check(ring, st, parsed, message, now);
  }

  private void health(HttpExchange exchange, boolean head) throws IOException {
    List<LocalSigner.KeyStatus> keys = signer.status();
    boolean usable = keys.stream().anyMatch(k -> k.keyId != null);
    byte[] body =
        SignerJson.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("status", usable ? "ok" : "no usable keys");
              g.writeArrayFieldStart("keys");
              for (LocalSigner.KeyStatus k : keys) {
                g.writeStartObject();
                g.writeStringField("name", k.name);
                if (k.keyId != null) {
                  g.writeStringField("key_id", k.keyId);
                }
                if (!k.previousKeyIds.isEmpty()) {
                  g.writeArrayFieldStart("previous_key_ids");
                  for (String id : k.previousKeyIds) {
                    g.writeString(id);
                  }
                  g.writeEndArray();
                }
                if (k.problem != null) {
                  g.writeStringField("problem", k.problem);
                }
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    respond(exchange, usable ? 200 : 503, body, head);
  }

  private static HmacAlgorithm algorithm(String fromPath, String fromBody) {
    try {
      HmacAlgorithm a = fromPath == null ? null : HmacAlgorithm.parse(fromPath);
      HmacAlgorithm b = fromBody == null ? null : HmacAlgorithm.parse(fromBody);
      if (a != null && b != null && a != b) {
        throw new HttpError(400, "the path asks for " + a.wireName() + " but the body for " + b.wireName());
      }
      return a != null ? a : b != null ? b : HmacAlgorithm.SHA256;
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, e.getMessage());
    }
  }

  private static void requireJson(Headers headers) {
    String type = headers.getFirst("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
      throw new HttpError(
          415,
          (type == null ? "missing Content-Type" : "unsupported Content-Type " + HmacAlgorithm.abbreviate(type))
              + "; send application/json");
    }
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw new HttpError(400, "invalid Content-Length");
      }
    }
    InputStream in = exchange.getRequestBody();
    if (declared > drainLimit) {
      exchange.getResponseHeaders().set("Connection", "close");
      throw tooLarge(declared);
    }
    byte[] body = in.readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      // Read the rest (bounded) so the client sees the 413 rather than a reset connection.
      long drained = body.length + drain(in, drainLimit);
      if (drained > drainLimit) {
        exchange.getResponseHeaders().set("Connection", "close");
      }
      throw tooLarge(declared >= 0 ? declared : drained);
    }
    return body;
  }

  private HttpError tooLarge(long size) {
    return new HttpError(413, "the request body has " + size + " bytes, more than the limit of " + maxBodyBytes + " (split large batches)");
  }

  private static long drain(InputStream in, long limit) throws IOException {
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    int n;
    while (total <= limit && (n = in.read(buf)) > 0) {
      total += n;
    }
    return total;
  }

  private static String decodeKeyName(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new HttpError(404, "no signing key named '" + HmacAlgorithm.abbreviate(raw) + "'");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new HttpError(404, "no signing key named '" + HmacAlgorithm.abbreviate(raw) + "'");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void error(HttpExchange exchange, int status, String message, String allow) {
    if (exchange.getResponseCode() != -1) {
      return; // Headers already went out; the connection is closed by the finally block.
    }
    try {
      if (allow != null) {
        exchange.getResponseHeaders().set("Allow", allow);
      }
      respond(exchange, status, SignerJson.errors(message), exchange.getRequestMethod().equals("HEAD"));
    } catch (IOException | RuntimeException e) {
      // The client went away.
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body, boolean head) throws IOException {
    Headers h = exchange.getResponseHeaders();
    h.set("Content-Type", "application/json");
    h.set("Cache-Control", "no-store");
    if (head) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
