package io.secretsdk.signer.sidecar;

import static io.secretsdk.signer.SignerTestSupport.assertNoLeak;
import static io.secretsdk.signer.SignerTestSupport.b64;
import static io.secretsdk.signer.SignerTestSupport.canary;
import static io.secretsdk.signer.SignerTestSupport.expectedKeyId;
import static io.secretsdk.signer.SignerTestSupport.expectedSignature;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretException;
import io.secretsdk.SecretStore;
import io.secretsdk.signer.HmacAlgorithm;
import io.secretsdk.signer.Signer;
import io.secretsdk.signer.SignerTestSupport.MutableClock;
import io.secretsdk.signer.SignerTestSupport.RawHttp;
import io.secretsdk.signer.SignerUnavailableException;
import io.secretsdk.signer.SigningKeyNotFoundException;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The real sidecar on a loopback ephemeral port, driven by the real client and by raw HTTP. */
class SignerSidecarTests {

  @TempDir Path tmp;
  final String keyA = canary();
  final String keyB = canary();
  final List<String> thrown = new ArrayList<>();
  final MutableClock clock = new MutableClock();

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("io.secretsdk");

  LogCapture logs;
  KubernetesVolumeWriter writer;
  Path keys;
  SignerSidecar sidecar;
  RawHttp http;

  @BeforeEach
  void setUp(LogCapture logs) {
    this.logs = logs;
    keys = tmp.resolve("keys");
    writer = KubernetesVolumeWriter.kubelet(keys);
  }

  @AfterEach
  void tearDown() {
    if (sidecar != null) {
      sidecar.close();
    }
    assertNoLeak(logs.text(), keyA, keyB);
    assertNoLeak(String.join("\n", thrown), keyA, keyB);
    if (http != null) {
      assertNoLeak(http.all(), keyA, keyB);
    }
  }

  private SignerSidecar start(SignerSidecar.Builder builder) {
    sidecar = builder.build().start();
    http = new RawHttp(sidecar.uri());
    return sidecar;
  }

  private SignerSidecar.Builder onLoopback() {
    return SignerSidecar.builder()
        .keysDirectory(keys)
        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .clock(clock);
  }

  private Throwable remember(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      thrown.add(c.toString());
    }
    return t;
  }

  @Test
  void signAndVerifyRoundTripsAndMatchTheLocalSigner() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA, "other", keyB));
    start(onLoopback());
    // Nothing JVM-wide is set on the application's behalf (the JDK server needed
    // sun.net.httpserver.nodelay).
    assertThat(System.getProperty("sun.net.httpserver.nodelay")).isNull();
    assertThat(sidecar.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(sidecar.address().getPort()).isPositive();
    assertThat(sidecar.keyIds())
        .containsExactly(
            Map.entry("other", expectedKeyId(keyB.getBytes(UTF_8))),
            Map.entry("webhook", expectedKeyId(keyA.getBytes(UTF_8))));
    assertThat(logs.text())
        .contains("signer sidecar listening on " + sidecar.uri())
        .contains("webhook (key id " + expectedKeyId(keyA.getBytes(UTF_8)) + ")");

    Random random = new Random(1);
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer local = Signer.local(store);
        Signer remote = Signer.sidecar(sidecar.uri())) {
      for (int size : new int[] {0, 1, 64, 1000, 100_000}) {
        byte[] msg = new byte[size];
        random.nextBytes(msg);
        String viaSidecar = remote.sign("webhook", msg);
        assertThat(viaSidecar).isEqualTo(local.sign("webhook", msg));
        assertThat(viaSidecar)
            .isEqualTo(expectedSignature(keyA.getBytes(UTF_8), msg, "HmacSHA256"));
        assertThat(remote.verify("webhook", msg, viaSidecar)).isTrue();
        assertThat(local.verify("webhook", msg, viaSidecar)).isTrue();
        assertThat(remote.verify("other", msg, viaSidecar)).isFalse();
        for (HmacAlgorithm a : HmacAlgorithm.values()) {
          String s = remote.sign("webhook", msg, a);
          assertThat(s).isEqualTo(local.sign("webhook", msg, a));
          assertThat(remote.verify("webhook", msg, s)).isTrue();
        }
      }
      assertThat(remote.verify("webhook", "x".getBytes(UTF_8), "garbage")).isFalse();
      assertThat(remote.verify("webhook", "x".getBytes(UTF_8), null)).isFalse();

      // Batches, including one the client must split by count and by size.
      List<byte[]> msgs = new ArrayList<>();
      for (int i = 0; i < 2_500; i++) {
        msgs.add(("message " + i).getBytes(UTF_8));
      }
      List<String> sigs = remote.signBatch("webhook", msgs);
      assertThat(sigs).isEqualTo(local.signBatch("webhook", msgs));
      assertThat(remote.verifyBatch("webhook", msgs, sigs)).hasSize(2_500).containsOnly(true);
      List<String> mixed = new ArrayList<>(sigs);
      mixed.set(7, sigs.get(8));
      List<Boolean> results = remote.verifyBatch("webhook", msgs, mixed);
      assertThat(results.get(7)).isFalse();
      assertThat(results.stream().filter(b -> !b)).hasSize(1);
      List<byte[]> big = List.of(new byte[700_000], new byte[700_000], new byte[10]);
      assertThat(remote.signBatch("webhook", big)).isEqualTo(local.signBatch("webhook", big));
      assertThat(remote.signBatch("webhook", List.of())).isEmpty();
      assertThat(remote.signBatch("webhook", msgs.subList(0, 3), HmacAlgorithm.SHA384))
          .isEqualTo(local.signBatch("webhook", msgs.subList(0, 3), HmacAlgorithm.SHA384));
    }
  }

  @Test
  void theWireProtocolIsVaultTransitShaped() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    start(onLoopback());
    String sig = expectedSignature(keyA, "hello");

    HttpResponse<String> r = http.post("/v1/hmac/webhook", "{\"input\":\"" + b64("hello") + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo("{\"hmac\":\"" + sig + "\"}");

    r =
        http.post(
            "/v1/hmac/webhook",
            "{\"batch_input\":[{\"input\":\"" + b64("hello") + "\"},{\"input\":\"\"}]}");
    assertThat(r.body())
        .isEqualTo(
            "{\"batch_results\":[{\"hmac\":\""
                + sig
                + "\"},{\"hmac\":\""
                + expectedSignature(keyA, "")
                + "\"}]}");

    r =
        http.post(
            "/v1/verify/webhook", "{\"input\":\"" + b64("hello") + "\",\"hmac\":\"" + sig + "\"}");
    assertThat(r.body()).isEqualTo("{\"valid\":true}");
    r =
        http.post(
            "/v1/verify/webhook", "{\"input\":\"" + b64("hellO") + "\",\"hmac\":\"" + sig + "\"}");
    assertThat(r.body()).isEqualTo("{\"valid\":false}");
    r =
        http.post(
            "/v1/verify/webhook",
            "{\"batch_input\":[{\"input\":\""
                + b64("hello")
                + "\",\"hmac\":\""
                + sig
                + "\"},{\"input\":\"\",\"hmac\":\"nope\"}]}");
    assertThat(r.body()).isEqualTo("{\"batch_results\":[{\"valid\":true},{\"valid\":false}]}");

    // Algorithms by body field or Vault-style path suffix; unknown fields ignored; URL-safe base64
    // accepted.
    String s512 = expectedSignature(keyA.getBytes(UTF_8), "hello".getBytes(UTF_8), "HmacSHA512");
    assertThat(
            http.post(
                    "/v1/hmac/webhook",
                    "{\"input\":\"" + b64("hello") + "\",\"algorithm\":\"sha2-512\"}")
                .body())
        .contains(s512);
    assertThat(
            http.post(
                    "/v1/hmac/webhook/sha2-512",
                    "{\"input\":\"" + b64("hello") + "\",\"key_version\":3}")
                .body())
        .contains(s512);
    assertThat(http.post("/v1/hmac/webhook", "{\"input\":\"-_-_\"}").statusCode()).isEqualTo(200);
    assertThat(
            http.send(
                    "POST",
                    "/v1/hmac/webhook",
                    "application/json; charset=utf-8",
                    ("{\"input\":\"" + b64("hello") + "\"}").getBytes(UTF_8))
                .body())
        .contains(sig);

    r = http.get("/v1/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"ok\",\"keys\":[{\"name\":\"webhook\",\"key_id\":\""
                + expectedKeyId(keyA.getBytes(UTF_8))
                + "\"}]}");
    assertThat(http.send("HEAD", "/v1/health", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void everyErrorCodeComesFromARealRequest() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    start(onLoopback().maxBatch(10));
    String ok = "{\"input\":\"" + b64("x") + "\"}";

    // 400: malformed JSON, malformed base64, wrong shapes.
    for (String body :
        List.of(
            "{\"input\":",
            "not json",
            "[1,2]",
            "{\"input\":\"" + b64("x") + "\"} trailing",
            "{\"input\":\"" + b64("x") + "\",\"input\":\"" + b64("y") + "\"}",
            "{\"input\":\"!!not base64!!\"}",
            "{\"input\":42}",
            "{}",
            "{\"input\":\"" + b64("x") + "\",\"batch_input\":[]}",
            "{\"batch_input\":{}}",
            "{\"batch_input\":[1]}",
            "{\"batch_input\":[{\"input\":\"%%%\"}]}",
            "{\"input\":\"" + b64("x") + "\",\"algorithm\":\"md5\"}")) {
      HttpResponse<String> r = http.post("/v1/hmac/webhook", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(r.body())
          .as(body)
          .startsWith("{\"errors\":[\"")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
    assertThat(http.post("/v1/hmac/webhook", "{\"input\":\"!!\"}").body())
        .isEqualTo("{\"errors\":[\"input is not valid base64\"]}");
    assertThat(http.post("/v1/verify/webhook", ok).statusCode())
        .as("verify needs hmac")
        .isEqualTo(400);
    assertThat(
            http.post("/v1/hmac/webhook/sha2-256", "{\"input\":\"\",\"algorithm\":\"sha2-512\"}")
                .statusCode())
        .isEqualTo(400);

    // 404: unknown key, unknown endpoint.
    HttpResponse<String> r = http.post("/v1/hmac/nope", ok);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"errors\":[\"no signing key named 'nope'\"]}");
    assertThat(http.post("/v1/verify/nope", "{\"input\":\"\",\"hmac\":\"v1:x:y\"}").statusCode())
        .isEqualTo(404);
    assertThat(http.post("/v1/hmac/", ok).statusCode()).isEqualTo(404);
    assertThat(http.post("/v2/hmac/webhook", ok).statusCode()).isEqualTo(404);
    assertThat(http.get("/").statusCode()).isEqualTo(404);
    assertThat(http.post("/v1/hmac/webhook/sha2-256/extra", ok).statusCode()).isEqualTo(404);

    // 405: wrong method, with Allow.
    r = http.get("/v1/hmac/webhook");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(r.body()).startsWith("{\"errors\":[");
    assertThat(
            http.send("PUT", "/v1/verify/webhook", "application/json", ok.getBytes(UTF_8))
                .statusCode())
        .isEqualTo(405);
    r = http.post("/v1/health", "{}");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");

    // 413: body over the limit (default 1 MiB), batch over its limit.
    byte[] huge = ("{\"input\":\"" + "A".repeat(1024 * 1024 + 100) + "\"}").getBytes(UTF_8);
    r = http.send("POST", "/v1/hmac/webhook", "application/json", huge);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("more than the limit of 1048576");
    StringBuilder batch = new StringBuilder("{\"batch_input\":[");
    for (int i = 0; i < 11; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"input\":\"\"}");
    }
    r = http.post("/v1/hmac/webhook", batch.append("]}").toString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("more than 10 items");
    // The connection is still usable after a 413.
    assertThat(http.post("/v1/hmac/webhook", ok).statusCode()).isEqualTo(200);

    // 415: not JSON, or no content type at all.
    r = http.send("POST", "/v1/hmac/webhook", "text/plain", ok.getBytes(UTF_8));
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(r.body()).contains("send application/json");
    assertThat(
            http.send(
                    "POST",
                    "/v1/hmac/webhook",
                    "application/x-www-form-urlencoded",
                    ok.getBytes(UTF_8))
                .statusCode())
        .isEqualTo(415);
    assertThat(http.send("POST", "/v1/hmac/webhook", null, ok.getBytes(UTF_8)).statusCode())
        .isEqualTo(415);

    // The client maps them: 404 to SigningKeyNotFoundException, other 4xx to SecretException, no
    // retries.
    try (Signer client = Signer.sidecarBuilder(sidecar.uri()).batchSize(50).build()) {
      assertThat(remember(catchThrowable(() -> client.sign("nope", new byte[1]))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("no signing key named 'nope'")
          .extracting(t -> ((SigningKeyNotFoundException) t).keyName())
          .isEqualTo("nope");
      List<byte[]> eleven = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        eleven.add(new byte[1]);
      }
      assertThat(remember(catchThrowable(() -> client.signBatch("webhook", eleven))))
          .isInstanceOf(SecretException.class)
          .isNotInstanceOf(SignerUnavailableException.class)
          .hasMessageContaining("HTTP 413")
          .hasMessageContaining("more than 10 items");
    }
    try (Signer wrongPath = Signer.sidecar(sidecar.uri().resolve("/prefix"))) {
      assertThat(remember(catchThrowable(() -> wrongPath.sign("webhook", new byte[1]))))
          .isInstanceOf(SecretException.class)
          .isNotInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("no such endpoint");
    }
  }

  @Test
  void healthIs503UntilAKeyCanBeLoadedAndFollowsTheDirectory() throws Exception {
    writer.writeStrings(Map.of("too-short", "0123456789"));
    start(onLoopback());
    HttpResponse<String> r = http.get("/v1/health");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"no usable keys\",\"keys\":[{\"name\":\"too-short\",\"problem\":"
                + "\"signing key 'too-short' is unusable: it is shorter than the 16-byte minimum\"}]}");
    assertThat(logs.text()).contains("no usable signing key yet").doesNotContain("0123456789");
    assertThat(r.body()).doesNotContain("0123456789");

    writer.writeStrings(Map.of("too-short", "0123456789", "webhook", keyA));
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/health").statusCode() == 200);
    try (Signer client = Signer.sidecar(sidecar.uri())) {
      assertThat(client.sign("webhook", "m".getBytes(UTF_8)))
          .isEqualTo(expectedSignature(keyA, "m"));
    }
  }

  @Test
  void anEmptyKeysDirectoryStartsAnswering503() throws Exception {
    java.nio.file.Files.createDirectories(keys);
    start(onLoopback());
    assertThat(http.get("/v1/health").statusCode()).isEqualTo(503);
    assertThat(http.get("/v1/health").body())
        .isEqualTo("{\"status\":\"no usable keys\",\"keys\":[]}");
    assertThat(http.post("/v1/hmac/webhook", "{\"input\":\"\"}").statusCode()).isEqualTo(404);
  }

  @Test
  void rotationIsFollowedLiveWithGraceOnTheInjectedClock() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    start(onLoopback().grace(Duration.ofHours(2)));
    byte[] msg = "order-1".getBytes(UTF_8);
    String idA = expectedKeyId(keyA.getBytes(UTF_8));
    String idB = expectedKeyId(keyB.getBytes(UTF_8));
    try (Signer client = Signer.sidecar(sidecar.uri())) {
      String sigA = client.sign("webhook", msg);
      assertThat(sigA).contains(":" + idA + ":");

      writer.writeStrings(Map.of("webhook", keyB));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.sign("webhook", msg).contains(":" + idB + ":"));
      String sigB = client.sign("webhook", msg);
      assertThat(sigB).isEqualTo(expectedSignature(keyB, "order-1"));
      assertThat(sidecar.keyIds()).containsEntry("webhook", idB);
      assertThat(http.get("/v1/health").body())
          .contains("\"key_id\":\"" + idB + "\"")
          .contains("\"previous_key_ids\":[\"" + idA + "\"]");
      assertThat(logs.text()).contains("rotated: key id " + idA + " -> " + idB);

      assertThat(client.verify("webhook", msg, sigA)).as("old key within grace").isTrue();
      clock.advance(Duration.ofHours(2).minusSeconds(1));
      assertThat(client.verify("webhook", msg, sigA))
          .as("old key just before the end of grace")
          .isTrue();
      assertThat(client.verifyBatch("webhook", List.of(msg, msg), List.of(sigA, sigB)))
          .containsExactly(true, true);
      clock.advance(Duration.ofSeconds(1));
      assertThat(client.verify("webhook", msg, sigA)).as("old key after grace").isFalse();
      assertThat(client.verifyBatch("webhook", List.of(msg, msg), List.of(sigA, sigB)))
          .containsExactly(false, true);
      assertThat(client.verify("webhook", msg, sigB)).isTrue();
      assertThat(http.get("/v1/health").body()).doesNotContain("previous_key_ids");
    }
  }

  @Test
  void manyConcurrentClientsGetCorrectAnswers() throws Exception {
    writer.writeStrings(Map.of("a", keyA, "b", keyB));
    start(onLoopback().threads(4));
    int threads = 16;
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Signer shared = Signer.sidecar(sidecar.uri())) {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        tasks.add(
            () -> {
              // Half the threads share one client, half have their own.
              Signer own = id % 2 == 0 ? shared : Signer.sidecar(sidecar.uri());
              try {
                int checked = 0;
                for (int i = 0; i < perThread; i++) {
                  String key = (i + id) % 2 == 0 ? "a" : "b";
                  String secret = key.equals("a") ? keyA : keyB;
                  String text = "t" + id + "-m" + i;
                  byte[] msg = text.getBytes(UTF_8);
                  String sig = own.sign(key, msg);
                  if (!sig.equals(expectedSignature(secret, text))
                      || !own.verify(key, msg, sig)
                      || own.verify(key, "x".getBytes(UTF_8), sig)) {
                    throw new AssertionError("wrong answer for " + text);
                  }
                  checked++;
                  if (i % 25 == 0) {
                    List<byte[]> batch = List.of(msg, ("x" + text).getBytes(UTF_8));
                    List<String> sigs = own.signBatch(key, batch);
                    if (!sigs.get(1).equals(expectedSignature(secret, "x" + text))
                        || !own.verifyBatch(key, batch, sigs).equals(List.of(true, true))) {
                      throw new AssertionError("wrong batch answer for " + text);
                    }
                  }
                }
                return checked;
              } finally {
                if (own != shared) {
                  own.close();
                }
              }
            });
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        total += f.get();
      }
      assertThat(total).isEqualTo(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void requestsCanBeHandledOnTheIoThreadsOnly() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    start(onLoopback().threads(0));
    assertThat(logs.text()).contains("every request answered on the I/O threads");
    try (Signer client = Signer.sidecar(sidecar.uri())) {
      byte[] msg = "m".getBytes(UTF_8);
      String sig = client.sign("webhook", msg);
      assertThat(sig).isEqualTo(expectedSignature(keyA, "m"));
      assertThat(client.verifyBatch("webhook", List.of(msg, msg), List.of(sig, "x")))
          .containsExactly(true, false);
      assertThat(http.post("/v1/hmac/nope", "{\"input\":\"\"}").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aSidecarCanServeAnExistingStoreAndStopsCleanly() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).build()) {
      SignerSidecar s = SignerSidecar.builder().store(store).port(0).build().start();
      try (Signer client = Signer.sidecarBuilder(s.uri()).retries(0).build()) {
        assertThat(client.sign("webhook", "m".getBytes(UTF_8)))
            .isEqualTo(expectedSignature(keyA, "m"));
        s.close();
        s.close();
        assertThat(remember(catchThrowable(() -> client.sign("webhook", "m".getBytes(UTF_8)))))
            .isInstanceOf(SignerUnavailableException.class);
      }
      // The store was the caller's: still open.
      assertThat(store.get("webhook")).isPresent();
      assertThat(s.toString()).contains("closed").doesNotContain(keyA);
      assertThat(catchThrowable(s::start)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void fourClientThreadsThroughAHundredRotationsSeeNoErrors() throws Exception {
    writer.writeStrings(Map.of("webhook", canary()));
    Path socket = tmp.resolve("signer.sock");
    start(onLoopback().listen(ListenAddress.unix(socket)));
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLongArray callsOf =
        new java.util.concurrent.atomic.AtomicLongArray(4);
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> workers = new ArrayList<>();
    try (Signer tcp = Signer.sidecar(sidecar.uris().get(0));
        Signer unix = Signer.sidecar(sidecar.uris().get(1))) {
      for (int t = 0; t < 4; t++) {
        Signer client = t % 2 == 0 ? tcp : unix;
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  int i = 0;
                  while (!stop.get()) {
                    try {
                      byte[] msg = ("t" + id + "-" + i++).getBytes(UTF_8);
                      String sig = client.sign("webhook", msg);
                      // Made with the current key or one rotated out moments ago: verifies either
                      // way.
                      if (!client.verify("webhook", msg, sig)) {
                        errors.add(new AssertionError("own signature did not verify: " + sig));
                      }
                      if (i % 10 == 0
                          && !client
                              .verifyBatch("webhook", List.of(msg, msg), List.of(sig, sig))
                              .equals(List.of(true, true))) {
                        errors.add(new AssertionError("batch verify failed"));
                      }
                      calls.incrementAndGet();
                      callsOf.incrementAndGet(id);
                    } catch (RuntimeException e) {
                      errors.add(e);
                    }
                  }
                }));
      }
      String lastId = null;
      for (int r = 0; r < 100; r++) {
        String key = canary();
        writer.writeStrings(Map.of("webhook", key));
        // Each rotation is taken up by the sidecar, then every client thread finishes a call and
        // together they make at least five before the next rotation: a call (sign, then verify its
        // own signature) spans at most one rotation, well within the four old keys the sidecar
        // keeps. Polled every millisecond: with Awaitility's default (100 ms) the test waited about
        // 10 s in all between rotations without testing anything more.
        String id = expectedKeyId(key.getBytes(UTF_8));
        await()
            .atMost(Duration.ofSeconds(30))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> id.equals(sidecar.keyIds().get("webhook")));
        long before = calls.get();
        long[] beforeOf = new long[4];
        for (int t = 0; t < 4; t++) {
          beforeOf[t] = callsOf.get(t);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(
                () ->
                    calls.get() > before + 4
                        && java.util.stream.IntStream.range(0, 4)
                            .allMatch(t -> callsOf.get(t) > beforeOf[t]));
        lastId = id;
      }
      stop.set(true);
      for (Future<?> f : workers) {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertThat(lastId).isNotNull();
      assertThat(calls.get()).isGreaterThan(400);
      assertThat(errors).as("errors over 100 rotations with 4 client threads").isEmpty();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }
}
