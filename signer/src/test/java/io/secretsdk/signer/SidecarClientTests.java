package io.secretsdk.signer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.SecretException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against scripted loopback servers: it never hangs, retries only what is safe to retry,
 * and says clearly whether the sidecar is unavailable or refused the request.
 */
class SidecarClientTests {

  /** What the fake server does with request number n (from 0). */
  static final String CLOSE = "close";

  static final String HANG = "hang";

  final List<FakeServer> servers = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (FakeServer s : servers) {
      s.close();
    }
  }

  FakeServer server(IntFunction<String> script) throws IOException {
    FakeServer s = new FakeServer(script);
    servers.add(s);
    return s;
  }

  static String json(int status, String body) {
    String reason = status == 200 ? "OK" : "Status";
    return "HTTP/1.1 "
        + status
        + " "
        + reason
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  @Test
  void nothingListeningIsUnavailableAfterBoundedRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Signer client =
        Signer.sidecarBuilder(URI.create("http://127.0.0.1:" + port))
            .retries(2)
            .retryBackoff(Duration.ofMillis(10))
            .build()) {
      long start = System.nanoTime();
      Throwable t = catchThrowable(() -> client.sign("k", new byte[1]));
      assertThat(t)
          .isInstanceOf(SignerUnavailableException.class)
          .hasMessageContaining(
              "signer sidecar at http://127.0.0.1:" + port + " is unavailable after 3 attempts")
          .hasMessageContaining("connection refused");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void aSilentServerTimesOutAndIsNotRetried() throws Exception {
    FakeServer s = server(n -> HANG);
    try (Signer client =
        Signer.sidecarBuilder(s.uri()).requestTimeout(Duration.ofMillis(300)).retries(3).build()) {
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .isInstanceOf(SignerUnavailableException.class)
          .hasMessageContaining("did not answer within PT0.3S");
    }
    assertThat(s.requests).hasSize(1);
  }

  @Test
  void aBodyThatStallsAfterTheHeadersStillEndsTheCall() throws Exception {
    FakeServer s =
        server(
            n ->
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"hm"
                    + HANG);
    try (Signer client =
        Signer.sidecarBuilder(s.uri()).requestTimeout(Duration.ofMillis(300)).retries(0).build()) {
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .isInstanceOf(SignerUnavailableException.class);
    }
  }

  @Test
  void droppedConnectionsAnd503AreRetried() throws Exception {
    String ok = json(200, "{\"hmac\":\"v1:abc:def\"}");
    FakeServer s = server(n -> n == 0 ? CLOSE : n == 1 ? json(503, "{\"errors\":[\"busy\"]}") : ok);
    try (Signer client =
        Signer.sidecarBuilder(s.uri()).retries(2).retryBackoff(Duration.ofMillis(1)).build()) {
      assertThat(client.sign("k", "m".getBytes(UTF_8))).isEqualTo("v1:abc:def");
    }
    assertThat(s.requests).hasSize(3);

    FakeServer always503 = server(n -> json(503, "{\"errors\":[\"no usable keys\"]}"));
    try (Signer client =
        Signer.sidecarBuilder(always503.uri())
            .retries(1)
            .retryBackoff(Duration.ofMillis(1))
            .build()) {
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .isInstanceOf(SignerUnavailableException.class)
          .hasMessageContaining("after 2 attempts: HTTP 503: no usable keys");
    }
    assertThat(always503.requests).hasSize(2);
  }

  @Test
  void clientErrorsAndBrokenAnswersAreNeverRetried() throws Exception {
    FakeServer s =
        server(
            n -> {
              switch (n) {
                case 0:
                  return json(400, "{\"errors\":[\"input is not valid base64\"]}");
                case 1:
                  return json(500, "{\"errors\":[\"internal error\"]}");
                case 2:
                  return json(200, "{\"unexpected\":1}");
                case 3:
                  return json(200, "<html>");
                case 4:
                  return json(404, "{\"errors\":[\"no signing key named 'k'\"]}");
                default:
                  return json(200, "{\"batch_results\":[{\"hmac\":\"a\"}]}");
              }
            });
    try (Signer client = Signer.sidecarBuilder(s.uri()).retries(3).build()) {
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .isExactlyInstanceOf(SecretException.class)
          .hasMessageContaining("refused the request (HTTP 400): input is not valid base64");
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .isExactlyInstanceOf(SecretException.class)
          .hasMessageContaining("HTTP 500");
      assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
          .hasMessageContaining("unexpected answer")
          .hasMessageContaining("no hmac field");
      assertThat(catchThrowable(() -> client.verify("k", new byte[1], "s")))
          .hasMessageContaining("unexpected answer");
      assertThat(catchThrowable(() -> client.verify("k", new byte[1], "s")))
          .isInstanceOf(SigningKeyNotFoundException.class);
      // The server answered one result for two messages.
      assertThat(catchThrowable(() -> client.signBatch("k", List.of(new byte[1], new byte[2]))))
          .hasMessageContaining("expected 2 batch results, got 1");
    }
    assertThat(s.requests).hasSize(6);
  }

  @Test
  void requestsAreWhatTheSidecarExpects() throws Exception {
    FakeServer s = server(n -> json(200, n == 0 ? "{\"hmac\":\"x\"}" : "{\"valid\":true}"));
    try (Signer client = Signer.sidecar(URI.create(s.uri() + "/"))) {
      client.sign("group.key-1", "hi".getBytes(UTF_8), HmacAlgorithm.SHA384);
      assertThat(client.verify("we ird/name", "hi".getBytes(UTF_8), "v1:\"quoted\":x")).isTrue();
    }
    String first = s.requests.get(0);
    assertThat(first).startsWith("POST /v1/hmac/group.key-1 HTTP/1.1\r\n");
    assertThat(first.toLowerCase(Locale.ROOT)).contains("content-type: application/json");
    assertThat(first).endsWith("{\"input\":\"aGk=\",\"algorithm\":\"sha2-384\"}");
    assertThat(s.requests.get(1))
        .startsWith("POST /v1/verify/we%20ird%2Fname HTTP/1.1")
        .endsWith("{\"input\":\"aGk=\",\"hmac\":\"v1:\\\"quoted\\\":x\"}");
    // Keep-alive: both requests on one connection.
    assertThat(s.connections.get()).isEqualTo(1);
  }

  @Test
  void interruptionEndsTheCallAndKeepsTheFlag() throws Exception {
    FakeServer s = server(n -> HANG);
    try (Signer client =
        Signer.sidecarBuilder(s.uri()).requestTimeout(Duration.ofSeconds(30)).build()) {
      Thread.currentThread().interrupt();
      try {
        assertThat(catchThrowable(() -> client.sign("k", new byte[1])))
            .isInstanceOf(SignerUnavailableException.class)
            .hasMessageContaining("interrupted");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void builderChecksItsArguments() {
    assertThatThrownBy(() -> Signer.sidecar(URI.create("ftp://127.0.0.1:1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signer.sidecar(URI.create("http:relative")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signer.sidecar(URI.create("http://127.0.0.1:1/?q=1")))
        .isInstanceOf(IllegalArgumentException.class);
    URI u = URI.create("http://127.0.0.1:1");
    assertThatThrownBy(() -> Signer.sidecarBuilder(u).requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signer.sidecarBuilder(u).connectTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signer.sidecarBuilder(u).retries(11))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signer.sidecarBuilder(u).batchSize(0))
        .isInstanceOf(IllegalArgumentException.class);
    Signer closed = Signer.sidecar(u);
    closed.close();
    assertThatThrownBy(() -> closed.sign("k", new byte[1]))
        .isInstanceOf(IllegalStateException.class);
    try (Signer s = Signer.sidecar(u)) {
      assertThat(s.signBatch("k", List.of())).isEmpty();
      assertThatThrownBy(() -> s.verifyBatch("k", List.of(new byte[1]), List.of()))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** A loopback HTTP/1.1 server that answers from a script: raw response, CLOSE or HANG. */
  static final class FakeServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final List<Socket> open = new CopyOnWriteArrayList<>();
    private final IntFunction<String> script;

    FakeServer(IntFunction<String> script) throws IOException {
      this.script = script;
      Thread t = new Thread(this::acceptLoop, "fake-sidecar");
      t.setDaemon(true);
      t.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          connections.incrementAndGet();
          open.add(s);
          Thread t = new Thread(() -> serve(s), "fake-sidecar-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          String request = readRequest(in);
          if (request == null) {
            return;
          }
          int n;
          synchronized (requests) {
            n = requests.size();
            requests.add(request);
          }
          String answer = script.apply(n);
          if (answer.equals(CLOSE)) {
            return;
          }
          boolean hang = answer.endsWith(HANG);
          out.write(
              hang
                  ? answer.substring(0, answer.length() - HANG.length()).getBytes(UTF_8)
                  : answer.getBytes(UTF_8));
          out.flush();
          if (hang) {
            // Hold the connection open, body unfinished, until the test closes the server.
            new java.util.concurrent.CountDownLatch(1)
                .await(60, java.util.concurrent.TimeUnit.SECONDS);
            return;
          }
        }
      } catch (IOException | InterruptedException e) {
        // Test over.
      }
    }

    private static String readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int c;
      int state = 0;
      while (state < 4 && (c = in.read()) >= 0) {
        head.write(c);
        state =
            (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                ? state + 1
                : 0;
      }
      if (head.size() == 0) {
        return null;
      }
      String headers = head.toString(US_ASCII);
      int length = 0;
      for (String line : headers.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      return headers + new String(in.readNBytes(length), UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
