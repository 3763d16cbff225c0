package io.secretsdk.signer.sidecar;

import static io.secretsdk.signer.SignerTestSupport.assertNoLeak;
import static io.secretsdk.signer.SignerTestSupport.canary;
import static io.secretsdk.signer.SignerTestSupport.expectedSignature;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.signer.Signer;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar under abuse, with raw sockets on loopback: malformed framing is answered in the
 * protocol's JSON, slow and stalled clients are timed out with {@code 408} or closed, a crowd of
 * connections stays bounded, and a well-behaved client keeps signing within 1 s throughout (its own
 * deadline: {@code requestTimeout(1s)}, no retries). Every attack is bounded in count and time.
 */
class SidecarAbuseTests {

  @TempDir Path tmp;
  final String key = canary();
  final List<Socket> attackers = new ArrayList<>();

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("io.secretsdk");

  LogCapture logs;
  SignerSidecar sidecar;

  @BeforeEach
  void setUp(LogCapture logs) {
    this.logs = logs;
    KubernetesVolumeWriter.kubelet(tmp.resolve("keys")).writeStrings(Map.of("webhook", key));
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : attackers) {
      s.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
    assertNoLeak(logs.text(), key);
  }

  SignerSidecar start(SignerSidecar.Builder b) {
    sidecar = b.keysDirectory(tmp.resolve("keys")).port(0).build().start();
    return sidecar;
  }

  Socket connect() throws IOException {
    Socket s = new Socket();
    attackers.add(s);
    s.connect(sidecar.address(), 5_000);
    s.setSoTimeout(20_000);
    return s;
  }

  /** A well-behaved client: every call must be answered within 1 s or it fails. */
  void wellBehavedClientSignsWithinOneSecond(int calls) throws Exception {
    try (Signer client =
        Signer.sidecarBuilder(sidecar.uri())
            .requestTimeout(Duration.ofSeconds(1))
            .connectTimeout(Duration.ofSeconds(1))
            .retries(0)
            .build()) {
      for (int i = 0; i < calls; i++) {
        assertThat(client.sign("webhook", ("m" + i).getBytes(UTF_8)))
            .isEqualTo(expectedSignature(key, "m" + i));
      }
    }
  }

  static String request(String body) {
    return "POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  /** Reads one whole answer (head and Content-Length body) as text. */
  static String readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    int c;
    while (state < 4 && (c = in.read()) >= 0) {
      head.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : 0;
    }
    String h = head.toString(US_ASCII);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    // Header names in lower case (Netty writes them so; HTTP says they are case-insensitive).
    StringBuilder normalized = new StringBuilder();
    for (String line : h.split("\r\n", -1)) {
      int colon = line.indexOf(':');
      normalized
          .append(
              colon > 0 && !line.startsWith("HTTP/")
                  ? line.substring(0, colon).toLowerCase(java.util.Locale.ROOT)
                      + line.substring(colon)
                  : line)
          .append("\r\n");
    }
    normalized.setLength(normalized.length() - 2);
    return normalized + new String(in.readNBytes(length), UTF_8);
  }

  /** Whether the server closed the connection: EOF or reset after whatever it had sent. */
  static boolean closedByServer(Socket s) throws IOException {
    try {
      byte[] buf = new byte[64 * 1024];
      while (true) {
        if (s.getInputStream().read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketException reset) {
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    }
  }

  @Test
  void stalledPartialAndNonReadingClientsDoNotStopAWellBehavedOne() throws Exception {
    start(SignerSidecar.builder());
    wellBehavedClientSignsWithinOneSecond(3);
    String ok = request("{\"input\":\"aGk=\"}");
    java.util.concurrent.atomic.AtomicLong pipelined = new java.util.concurrent.atomic.AtomicLong();
    List<Thread> pipeliners = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      connect()
          .getOutputStream()
          .write("POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\nContent-Ty".getBytes(US_ASCII));
      connect()
          .getOutputStream()
          .write(
              request("{\"input\":\"aGk=\"}")
                  .replace("Content-Length: 16", "Content-Length: 500")
                  .getBytes(US_ASCII));
      // Pipelines requests and never reads an answer, until the sidecar stops reading it (bounded
      // in time).
      Socket pipeliner = connect();
      long stopAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      Thread t =
          new Thread(
              () -> {
                try {
                  byte[] burst = ok.repeat(100).getBytes(US_ASCII);
                  while (System.nanoTime() < stopAt) {
                    pipeliner.getOutputStream().write(burst);
                    pipelined.addAndGet(100);
                  }
                } catch (IOException stopped) {
                  // Closed at the end of the test.
                }
              },
              "pipeliner-" + i);
      t.setDaemon(true);
      t.start();
      pipeliners.add(t);
    }
    // Once every buffer on the way is full the sidecar has stopped reading the pipeliners; they
    // sit there, stalled, like the partial requests.
    await().atMost(Duration.ofSeconds(60)).until(() -> sidecar.stalledConnections() == 4);
    assertThat(pipelined.get()).isPositive();
    assertThat(pipeliners).allMatch(Thread::isAlive);
    wellBehavedClientSignsWithinOneSecond(50);
    assertThat(sidecar.openConnections()).isGreaterThanOrEqualTo(12);
  }

  @Test
  void aRequestThatDoesNotArriveInTimeGets408AndIsClosed() throws Exception {
    start(SignerSidecar.builder().requestTimeout(Duration.ofMillis(300)));
    Socket partialHead = connect();
    partialHead
        .getOutputStream()
        .write("POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\n".getBytes(US_ASCII));
    Socket partialBody = connect();
    partialBody
        .getOutputStream()
        .write(
            request("{\"input\":\"aGk=\"}")
                .replace("Content-Length: 16", "Content-Length: 100")
                .getBytes(US_ASCII));
    for (Socket s : List.of(partialHead, partialBody)) {
      String answer = readAnswer(s.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 408 ")
          .contains("connection: close")
          .contains("content-type: application/json");
      assertThat(answer)
          .endsWith(
              "{\"errors\":[\"the request did not arrive completely within the request timeout; the connection is closed\"]}");
      assertThat(closedByServer(s)).isTrue();
    }
    wellBehavedClientSignsWithinOneSecond(3);
  }

  @Test
  void aClientThatDoesNotReadItsAnswersIsClosedAfterTheWriteTimeout() throws Exception {
    start(SignerSidecar.builder().writeTimeout(Duration.ofMillis(500)));
    Socket s = connect();
    s.setReceiveBufferSize(4096);
    byte[] burst = request("{\"input\":\"aGk=\"}").repeat(500).getBytes(US_ASCII);
    long stopAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Thread writer =
        new Thread(
            () -> {
              try {
                // Until the kernel's buffers are full and the sidecar stops reading, then closes
                // (bounded in time).
                while (System.nanoTime() < stopAt) {
                  s.getOutputStream().write(burst);
                }
              } catch (IOException stopped) {
                // Closed by the sidecar: expected.
              }
            },
            "non-reader");
    writer.setDaemon(true);
    writer.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> !writer.isAlive());
    assertThat(sidecar.openConnections()).isZero();
    assertThat(closedByServer(s)).isTrue();
    wellBehavedClientSignsWithinOneSecond(3);
  }

  @Test
  void framingErrorsAreAnsweredInTheProtocolsJson() throws Exception {
    start(SignerSidecar.builder());
    Map<String, String> cases =
        Map.of(
            "POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n",
            "HTTP/1.1 400 ",
            "GARBAGE\r\n\r\n",
            "HTTP/1.1 400 ",
            "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "HTTP/1.1 414 ");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Socket s = connect();
      s.getOutputStream().write(c.getKey().getBytes(US_ASCII));
      String answer = readAnswer(s.getInputStream());
      assertThat(answer)
          .as(c.getKey().substring(0, Math.min(20, c.getKey().length())))
          .startsWith(c.getValue())
          .contains("content-type: application/json")
          .contains("\r\n\r\n{\"errors\":[\"");
      assertThat(answer).doesNotContain("Exception").doesNotContain("<h1>");
      assertThat(closedByServer(s)).isTrue();
    }
    Socket s = connect();
    s.getOutputStream()
        .write(
            "POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n"
                .getBytes(US_ASCII));
    assertThat(readAnswer(s.getInputStream()))
        .endsWith("{\"errors\":[\"malformed HTTP request: invalid Content-Length\"]}");

    // 5,000 headers: an answer, not a reset.
    StringBuilder many = new StringBuilder("POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 5_000; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    many.append("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    Socket headers = connect();
    Thread sender =
        new Thread(
            () -> {
              try {
                headers.getOutputStream().write(many.toString().getBytes(US_ASCII));
              } catch (IOException closed) {
                // The sidecar may close once it has answered.
              }
            },
            "many-headers");
    sender.setDaemon(true);
    sender.start();
    String answer = readAnswer(headers.getInputStream());
    assertThat(answer)
        .startsWith("HTTP/1.1 431 ")
        .endsWith(
            "{\"errors\":[\"the request headers are too large or too many (at most 16384 bytes)\"]}");
    wellBehavedClientSignsWithinOneSecond(3);
  }

  @Test
  void thousandsOfConnectionsStayBoundedAndNewClientsAreStillServed() throws Exception {
    start(SignerSidecar.builder().maxConnections(200).ioThreads(2).threads(2));
    for (int i = 0; i < 1_500; i++) {
      Socket s = connect();
      if (i % 2 == 0) {
        s.getOutputStream().write("POST /v1/hmac/webhook HTTP/1.1\r\n".getBytes(US_ASCII));
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sidecar.openConnections() <= 200);
    wellBehavedClientSignsWithinOneSecond(20);
    assertThat(sidecar.openConnections()).isLessThanOrEqualTo(200);
    long sidecarThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("secretsdk-signer-"))
            .count();
    assertThat(sidecarThreads)
        .as("I/O threads plus at most the worker threads")
        .isLessThanOrEqualTo(2 + 2);
  }

  @Test
  void theUnixSocketIsHeldToTheSameBar() throws Exception {
    Path socket = tmp.resolve("signer.sock");
    sidecar =
        SignerSidecar.builder()
            .keysDirectory(tmp.resolve("keys"))
            .listen(ListenAddress.unix(socket))
            .requestTimeout(Duration.ofMillis(300))
            .build()
            .start();
    List<java.nio.channels.SocketChannel> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        java.nio.channels.SocketChannel ch =
            java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        stalled.add(ch);
        ch.connect(java.net.UnixDomainSocketAddress.of(socket));
        ch.write(
            java.nio.ByteBuffer.wrap(
                "POST /v1/hmac/webhook HTTP/1.1\r\nHost: x\r\n".getBytes(US_ASCII)));
      }
      try (Signer client =
          Signer.sidecarBuilder(URI.create("unix:" + socket))
              .requestTimeout(Duration.ofSeconds(1))
              .retries(0)
              .build()) {
        assertThat(client.sign("webhook", "m".getBytes(UTF_8)))
            .isEqualTo(expectedSignature(key, "m"));
      }
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
      java.nio.channels.SocketChannel first = stalled.get(0);
      while (first.read(buf) > 0) {
        // until the sidecar closes
      }
      assertThat(new String(buf.array(), 0, buf.position(), US_ASCII)).startsWith("HTTP/1.1 408 ");
    } finally {
      for (java.nio.channels.SocketChannel ch : stalled) {
        ch.close();
      }
    }
  }

  static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }
}
