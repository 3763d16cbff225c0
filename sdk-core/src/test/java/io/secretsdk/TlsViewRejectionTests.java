package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad generation (key of another certificate, garbage, expired or not yet valid certificate,
 * truncated file) is never installed: the server keeps presenting the last good certificate, the
 * view's health is DEGRADED with a message naming the file, listeners hear nothing, and the next
 * good generation is installed. No key bytes in any message, log record or {@code toString()}.
 */
class TlsViewRejectionTests {

  static final TestCertificates CA = new TestCertificates();
  @org.junit.jupiter.api.io.TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;
  SecretStore store;
  TlsView tls;
  final List<String> canaries = new ArrayList<>();

  @BeforeEach
  void captureLogs(LogCapture logs) {
    this.logs = logs;
  }

  @AfterEach
  void closeAndCheckLogs() {
    if (tls != null) {
      tls.close();
    }
    if (store != null) {
      store.close();
    }
    for (String canary : canaries) {
      assertThat(logs.text()).doesNotContain(canary);
    }
  }

  /** A good generation, remembering canaries from its key. */
  private Map<String, String> good(TestCertificates.Issued issued) {
    String keyPem =
        TestCertificates.keyPem(issued.keyPair(), TestCertificates.KeyEncoding.TRADITIONAL);
    canaries.add(keyPem.split("\n")[1]);
    canaries.add(keyPem.split("\n")[2]);
    String der = Base64.getEncoder().encodeToString(issued.keyPair().getPrivate().getEncoded());
    canaries.add(der.substring(der.length() / 2, der.length() / 2 + 32));
    return new HashMap<>(
        Map.of("tls.crt", CA.chainPem(issued), "tls.key", keyPem, "ca.crt", CA.caPem()));
  }

  static Stream<Arguments> badGenerations() {
    Instant now = Instant.now();
    return Stream.<Arguments>of(
        Arguments.of(
            "key of another certificate",
            "tls.key",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  files.put(
                      "tls.key",
                      t.good(CA.issue(TestCertificates.keyPair("EC-256"))).get("tls.key"));
                  return files;
                }),
        Arguments.of(
            "garbage PEM certificate",
            "tls.crt",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  files.put(
                      "tls.crt",
                      "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n");
                  return files;
                }),
        Arguments.of(
            "garbage key",
            "tls.key",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  files.put("tls.key", "this is not PEM at all\n");
                  return files;
                }),
        Arguments.of(
            "expired certificate",
            "tls.crt",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t ->
                    t.good(
                        CA.issue(
                            TestCertificates.keyPair("EC-256"),
                            now.minus(Duration.ofDays(90)),
                            now.minus(Duration.ofDays(1))))),
        Arguments.of(
            "certificate not yet valid",
            "tls.crt",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t ->
                    t.good(
                        CA.issue(
                            TestCertificates.keyPair("EC-256"),
                            now.plus(Duration.ofDays(1)),
                            now.plus(Duration.ofDays(90))))),
        Arguments.of(
            "truncated certificate file",
            "tls.crt",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  String chain = files.get("tls.crt");
                  files.put("tls.crt", chain.substring(0, chain.length() / 3));
                  return files;
                }),
        Arguments.of(
            "truncated key file",
            "tls.key",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  String key = files.get("tls.key");
                  files.put("tls.key", key.substring(0, key.length() / 2));
                  return files;
                }),
        Arguments.of(
            "garbage CA bundle",
            "ca.crt",
            (Function<TlsViewRejectionTests, Map<String, String>>)
                t -> {
                  Map<String, String> files = t.good(CA.issue(TestCertificates.keyPair("EC-256")));
                  files.put(
                      "ca.crt", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
                  return files;
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badGenerations")
  void aBadGenerationKeepsTheLastGoodContextAndTheNextGoodOneRecovers(
      String what, String file, Function<TlsViewRejectionTests, Map<String, String>> bad)
      throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued first = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(good(first));
    store = SecretStore.builder().mount(writer.volume()).build();
    tls = TlsView.of(store);
    List<BigInteger> told = new CopyOnWriteArrayList<>();
    tls.subscribe((previous, current) -> told.add(current.serialNumber()));

    try (TlsTestServer server = new TlsTestServer(tls.sslContext(), CA.ca())) {
      assertThat(server.handshakeSerial()).isEqualTo(first.serial());
      long revision = store.snapshot().revision();

      writer.writeStrings(bad.apply(this));
      await().atMost(Duration.ofSeconds(20)).until(() -> store.snapshot().revision() > revision);

      SecretViewHealth health = tls.health();
      assertThat(health.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
      assertThat(health.lastError()).hasValueSatisfying(error -> assertThat(error).contains(file));
      assertThat(health.rejections()).isEqualTo(1);
      assertThat(health.expiresAt()).contains(first.certificate().getNotAfter().toInstant());
      assertThat(tls.current().serialNumber()).isEqualTo(first.serial());
      assertThat(server.handshakeSerial()).isEqualTo(first.serial());
      for (String canary : canaries) {
        assertThat(health.toString()).doesNotContain(canary);
        assertThat(tls.current().toString()).doesNotContain(canary);
      }

      TestCertificates.Issued recovered = CA.issue(TestCertificates.keyPair("EC-256"));
      writer.writeStrings(good(recovered));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(server::handshakeSerial, recovered.serial()::equals);
      assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
      assertThat(tls.health().lastError()).isEmpty();
      await().atMost(Duration.ofSeconds(20)).until(() -> !told.isEmpty());
      assertThat(told).containsExactly(recovered.serial());
    }
  }
}
