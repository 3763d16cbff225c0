package io.secretsdk.signer;

import io.secretsdk.SecretException;
import io.secretsdk.signer.protocol.ProtocolException;
import io.secretsdk.signer.protocol.SignerProtocol;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A signer that calls the signer sidecar: HTTP/1.1 with keep-alive over loopback TCP or a Unix
 * domain socket, on the calling thread, with pooled connections ({@link SidecarConnection}).
 *
 * <p>Every call has one deadline (the request timeout) for writing the request and reading the
 * whole answer, and connecting has its own; so a call never hangs and no thread is started.
 * Connection failures and {@code 408}/{@code 502}/{@code 503}/{@code 504} answers are retried a
 * bounded number of times (signing is idempotent); then {@link SignerUnavailableException}. A
 * request that timed out waiting for its answer is not retried. Other {@code 4xx} answers are the
 * caller's problem: {@link SigningKeyNotFoundException} for an unknown key, {@link SecretException}
 * otherwise. Thread-safe.
 *
 * <p>Its length is a small HTTP/1.1 client over TCP and Unix sockets (pooled keep-alive
 * connections, one deadline per call, bounded retries), kept in one class so the client library
 * needs no HTTP dependency.
 */
final class SidecarSigner implements Signer {

  /** Idle connections kept per client; more are closed when returned. */
  static final int MAX_IDLE = 32;

  private final String base;
  private final SocketAddress address;
  private final boolean unix;
  private final String pathPrefix;
  private final String host;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final int retries;
  private final Duration retryBackoff;
  private final int batchSize;
  private final int maxRequestBytes;
  private final ConcurrentLinkedDeque<SidecarConnection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private volatile boolean closed;

  SidecarSigner(SidecarSignerBuilder b) {
    this.base = b.base;
    this.unix = b.socketPath != null;
    this.address =
        unix ? UnixDomainSocketAddress.of(b.socketPath) : new InetSocketAddress(b.host, b.port);
    this.host = unix ? "localhost" : b.hostHeader;
    this.pathPrefix = b.pathPrefix;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.retries = b.retries;
    this.retryBackoff = b.retryBackoff;
    this.batchSize = b.batchSize;
    this.maxRequestBytes = b.maxRequestBytes;
  }

  @Override
  public String sign(String keyName, byte[] message, HmacAlgorithm algorithm) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(algorithm, "algorithm");
    byte[] body = SignerProtocol.encodeSignRequest(List.of(message), false, algorithm);
    return call(
            false,
            keyName,
            body,
            c ->
                SignerProtocol.decodeSignResponse(
                    c.body(), c.bodyOffset(), c.bodyLength(), 1, false))
        .get(0);
  }

  @Override
  public boolean verify(String keyName, byte[] message, String signature) {
    Objects.requireNonNull(message, "message");
    byte[] body =
        SignerProtocol.encodeVerifyRequest(
            List.of(message), java.util.Collections.singletonList(signature), false);
    return call(
            true,
            keyName,
            body,
            c ->
                SignerProtocol.decodeVerifyResponse(
                    c.body(), c.bodyOffset(), c.bodyLength(), 1, false))
        .get(0);
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
      byte[] body = SignerProtocol.encodeSignRequest(chunk, true, algorithm);
      int expected = chunk.size();
      out.addAll(
          call(
              false,
              keyName,
              body,
              c ->
                  SignerProtocol.decodeSignResponse(
                      c.body(), c.bodyOffset(), c.bodyLength(), expected, true)));
      start = end;
    }
    return List.copyOf(out);
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    BatchArguments.checkOneSignaturePerMessage(messages, signatures);
    List<Boolean> out = new ArrayList<>(messages.size());
    int start = 0;
    while (start < messages.size()) {
      int end = chunkEnd(messages, signatures, start);
      byte[] body =
          SignerProtocol.encodeVerifyRequest(
              messages.subList(start, end), signatures.subList(start, end), true);
      int expected = end - start;
      out.addAll(
          call(
              true,
              keyName,
              body,
              c ->
                  SignerProtocol.decodeVerifyResponse(
                      c.body(), c.bodyOffset(), c.bodyLength(), expected, true)));
      start = end;
    }
    return List.copyOf(out);
  }

  /**
   * The end of the chunk starting at {@code start}: at most batchSize items and maxRequestBytes of
   * JSON.
   */
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

  /** Reads a 200 answer's body; a {@link ProtocolException} means the answer was not ours. */
  @FunctionalInterface
  private interface Decoder<T> {
    T decode(SidecarConnection answer) throws ProtocolException;
  }

  private <T> T call(boolean verify, String keyName, byte[] body, Decoder<T> decoder) {
    Objects.requireNonNull(keyName, "keyName");
    if (closed) {
      throw new IllegalStateException("the signer is closed");
    }
    byte[] request = request(SignerProtocol.path(verify, keyName), body);
    Throwable lastFailure = null;
    String lastAnswer = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        pause(attempt);
      }
      SidecarConnection c = null;
      try {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        c = connection();
        try {
          c.exchange(request, deadline);
        } catch (SidecarConnection.ClosedBeforeAnswer e) {
          if (!c.reused) {
            throw e;
          }
          // A pooled connection the sidecar had closed while idle: once more on a fresh one, at
          // once.
          c.close();
          c = null;
          c = open();
          c.exchange(request, deadline);
        }
        int status = c.status;
        if (status == 200) {
          try {
            return decoder.decode(c);
          } catch (ProtocolException e) {
            throw unexpected(e.getMessage());
          }
        }
        String message = SignerProtocol.decodeError(c.body(), c.bodyOffset(), c.bodyLength());
        if (status == 408 || status == 502 || status == 503 || status == 504) {
          lastAnswer = "HTTP " + status + ": " + message;
          lastFailure = null;
          continue;
        }
        if (status == 404 && !message.startsWith("no such endpoint")) {
          throw new SigningKeyNotFoundException(
              keyName, "signer sidecar at " + base + ": " + message);
        }
        throw new SecretException(
            "signer sidecar at " + base + " refused the request (HTTP " + status + "): " + message);
      } catch (ClosedByInterruptException | InterruptedIOException e) {
        discard(c);
        c = null;
        Thread.currentThread().interrupt();
        throw new SignerUnavailableException(
            "interrupted while waiting for the signer sidecar at " + base, e);
      } catch (SidecarConnection.AnswerTimeout e) {
        discard(c);
        c = null;
        throw new SignerUnavailableException(
            "signer sidecar at "
                + base
                + " did not answer within "
                + requestTimeout
                + " (not retried)",
            e);
      } catch (IOException e) {
        discard(c);
        c = null;
        lastFailure = e;
      } finally {
        if (c != null) {
          release(c);
        }
      }
    }
    String why = lastFailure != null ? describe(lastFailure) : lastAnswer;
    throw new SignerUnavailableException(
        "signer sidecar at "
            + base
            + " is unavailable after "
            + (retries + 1)
            + " attempt"
            + (retries == 0 ? "" : "s")
            + ": "
            + why,
        lastFailure);
  }

  private byte[] request(String path, byte[] body) {
    String head =
        "POST "
            + pathPrefix
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }

  private SidecarConnection connection() throws IOException {
    SidecarConnection c = idle.pollFirst();
    if (c != null) {
      idleCount.decrementAndGet();
      return c;
    }
    return open();
  }

  private SidecarConnection open() throws IOException {
    return SidecarConnection.open(address, unix, System.nanoTime() + connectTimeout.toNanos());
  }

  private void release(SidecarConnection c) {
    if (closed || !c.keepAlive()) {
      c.close();
      return;
    }
    if (idleCount.incrementAndGet() > MAX_IDLE) {
      idleCount.decrementAndGet();
      c.close();
      return;
    }
    c.trim();
    idle.offerFirst(c);
    if (closed) {
      drain();
    }
  }

  private static void discard(SidecarConnection c) {
    if (c != null) {
      c.close();
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
      throw new SignerUnavailableException(
          "interrupted while retrying the signer sidecar at " + base, e);
    }
  }

  private String describe(Throwable t) {
    if (t instanceof ConnectException) {
      return unix
          ? "connection refused (is the sidecar running and listening on that socket?)"
          : "connection refused (is the sidecar running and listening there?)";
    }
    if (t instanceof SidecarConnection.ConnectTimeout) {
      return "connect timed out after " + connectTimeout;
    }
    String m = t.getMessage();
    if (unix && m != null && m.contains("No such file")) {
      return "no socket at "
          + ((UnixDomainSocketAddress) address).getPath()
          + " (is the sidecar running and listening on it?)";
    }
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + HmacAlgorithm.abbreviate(m));
  }

  private SecretException unexpected(String what) {
    return new SecretException(
        "unexpected answer from the signer sidecar at " + base + ": " + what);
  }

  @Override
  public void close() {
    closed = true;
    drain();
  }

  private void drain() {
    SidecarConnection c;
    while ((c = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      c.close();
    }
  }

  @Override
  public String toString() {
    return "SidecarSigner[" + base + "]";
  }
}
