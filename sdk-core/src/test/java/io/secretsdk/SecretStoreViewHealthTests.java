package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A typed view created on a store is part of the store's {@code health()}: a refused TLS generation
 * turns the store DEGRADED with a message naming the file (so a readiness probe built on the
 * store's health sees stale TLS material), a view that never had material turns it DOWN, the served
 * certificate's expiry is visible, and closing the view removes it. Health, {@code toString()} and
 * log records never carry key, certificate or password content.
 */
class SecretStoreViewHealthTests {

  static final TestCertificates CA = new TestCertificates();

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;
  final List<AutoCloseable> open = new ArrayList<>();
  final List<String> keyCanaries = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** A good generation; lines of its private key PEM are remembered as canaries. */
  private Map<String, String> tlsFiles(TestCertificates.Issued issued) {
    String keyPem = TestCertificates.keyPem(issued.keyPair(), TestCertificates.KeyEncoding.PKCS8);
    keyCanaries.add(keyPem.split("\n")[1]);
    keyCanaries.add(keyPem.split("\n")[2]);
    return new HashMap<>(
        Map.of("tls.crt", CA.chainPem(issued), "tls.key", keyPem, "ca.crt", CA.caPem()));
  }

  private void assertNoKeyContent(LogCapture logs, Object... values) {
    for (String canary : keyCanaries) {
      assertThat(logs.text()).doesNotContain(canary);
      for (Object value : values) {
        assertThat(String.valueOf(value)).doesNotContain(canary);
      }
    }
  }

  @Test
  void aRefusedTlsGenerationMakesTheStoreDegradedNamingTheFileAndRecovers(
      Canaries canaries, LogCapture logs) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued first = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(tlsFiles(first));
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    TlsView tls = opened(TlsView.of(store));
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(store.health().views())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.status()).isEqualTo(SecretStoreHealth.Status.UP);
              assertThat(v.names()).containsExactly("tls.crt", "tls.key", "ca.crt");
              assertThat(v.expiresAt()).contains(first.certificate().getNotAfter().toInstant());
              assertThat(v.daysUntilExpiry()).isPresent();
            });

    // Garbage in the key file whose body is a canary: refused, and the canary goes nowhere.
    Map<String, String> bad = tlsFiles(CA.issue(TestCertificates.keyPair("EC-256")));
    bad.put(
        "tls.key",
        "-----BEGIN PRIVATE KEY-----\n" + canaries.next("key") + "\n-----END PRIVATE KEY-----\n");
    long revision = store.snapshot().revision();
    writer.writeStrings(bad);
    await().atMost(Duration.ofSeconds(20)).until(() -> store.snapshot().revision() > revision);

    SecretStoreHealth health = store.health();
    assertThat(health.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
    assertThat(health.sources())
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(SecretStoreHealth.Status.UP));
    assertThat(health.lastError())
        .hasValueSatisfying(
            error -> assertThat(error).contains("tls.key").contains(writer.volume().toString()));
    assertThat(health.views())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
              assertThat(v.lastError()).isEqualTo(health.lastError());
              assertThat(v.rejections()).isEqualTo(1);
              // Still the first certificate's expiry: that is what is being served.
              assertThat(v.expiresAt()).contains(first.certificate().getNotAfter().toInstant());
            });
    assertThat(tls.current().serialNumber()).isEqualTo(first.serial());
    canaries.assertNoLeak(health, store, tls, tls.health(), tls.current());
    assertNoKeyContent(logs, health, store, tls, tls.health(), tls.current());

    TestCertificates.Issued recovered = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(tlsFiles(recovered));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> store.health().status() == SecretStoreHealth.Status.UP);
    assertThat(store.health().lastError()).isEmpty();
    assertThat(tls.current().serialNumber()).isEqualTo(recovered.serial());
    assertNoKeyContent(logs, store.health());
  }

  @Test
  void aKeyOfAnotherCertificateIsNamedInTheStoreHealth(LogCapture logs) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(tlsFiles(CA.issue(TestCertificates.keyPair("RSA-2048"))));
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    TlsView tls = opened(TlsView.of(store));

    Map<String, String> mismatched = tlsFiles(CA.issue(TestCertificates.keyPair("RSA-2048")));
    mismatched.put(
        "tls.key", tlsFiles(CA.issue(TestCertificates.keyPair("RSA-2048"))).get("tls.key"));
    writer.writeStrings(mismatched);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.health().lastError())
        .hasValueSatisfying(
            error -> assertThat(error).contains("tls.key").contains("does not belong"));
    assertNoKeyContent(logs, store.health(), tls.health(), tls);
  }

  @Test
  void aViewThatNeverHadMaterialMakesTheStoreDown(Canaries canaries) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    Map<String, String> files = tlsFiles(CA.issue(TestCertificates.keyPair("EC-256")));
    files.put(
        "tls.crt",
        "-----BEGIN CERTIFICATE-----\n" + canaries.next("crt") + "\n-----END CERTIFICATE-----\n");
    writer.writeStrings(files);
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    TlsView tls = opened(TlsView.of(store));

    SecretStoreHealth health = store.health();
    assertThat(health.status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(health.lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("tls.crt"));
    assertThat(health.views())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.status()).isEqualTo(SecretStoreHealth.Status.DOWN);
              assertThat(v.expiresAt()).isEmpty();
              assertThat(v.daysUntilExpiry()).isEmpty();
            });
    canaries.assertNoLeak(health, tls.health(), tls, store);
  }

  @Test
  void theServedCertificatesDaysUntilExpiryAreInTheStoreHealth() {
    Instant now = Instant.now();
    TestCertificates.Issued issued =
        CA.issue(
            TestCertificates.keyPair("EC-256"),
            now.minus(Duration.ofDays(80)),
            now.plus(Duration.ofDays(10)).plus(Duration.ofHours(1)));
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(tlsFiles(issued));
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    opened(TlsView.builder(store).clock(Clock.fixed(now, ZoneOffset.UTC)).build());

    assertThat(store.health().views())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.daysUntilExpiry()).hasValue(10);
              assertThat(v.expiresAt()).contains(issued.certificate().getNotAfter().toInstant());
            });
  }

  @Test
  void closingAViewRemovesItFromTheStoreHealth() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    Map<String, String> files = tlsFiles(CA.issue(TestCertificates.keyPair("EC-256")));
    files.put("tls.key", "not a key\n");
    writer.writeStrings(files);
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    TlsView tls = TlsView.of(store);
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);

    tls.close();
    tls.close();

    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(store.health().views()).isEmpty();
    assertThat(store.health().lastError()).isEmpty();
  }

  @Test
  void aCredentialPairMissingItsPasswordIsInTheStoreHealth(Canaries canaries, LogCapture logs) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    String username = canaries.next("username");
    String password = canaries.next("password");
    writer.writeStrings(Map.of("username", username, "password", password));
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    CredentialPairView pair = opened(CredentialPairView.of(store));
    TlsView tls = opened(TlsView.of(store)); // no TLS files at all: DOWN, and listed second
    assertThat(store.health().views())
        .extracting(SecretViewHealth::status)
        .containsExactly(SecretStoreHealth.Status.UP, SecretStoreHealth.Status.DOWN);
    tls.close();
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    writer.writeStrings(Map.of("username", canaries.next("username")));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.health().lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("password").contains("missing"));
    assertThat(pair.current().password()).isEqualTo(password);
    canaries.assertNoLeak(store.health(), pair.health(), pair, pair.current(), store);
  }

  @Test
  void aClosedStoreIsDownWhateverItsViews() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(tlsFiles(CA.issue(TestCertificates.keyPair("EC-256"))));
    SecretStore store = SecretStore.builder().mount(writer.volume()).build();
    TlsView tls = opened(TlsView.of(store));
    store.close();

    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(store.health().views())
        .singleElement()
        .satisfies(v -> assertThat(v.status()).isEqualTo(SecretStoreHealth.Status.UP));
    assertThat(tls.current()).isNotNull();
  }

  @Test
  void aNewGenerationIsParsedAndInstalledWithoutAnyReadOrHandshake() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(tlsFiles(CA.issue(TestCertificates.keyPair("EC-256"))));
    SecretStore store = opened(SecretStore.builder().mount(writer.volume()).build());
    TlsView tls = opened(TlsView.of(store));
    assertThat(tls.parses()).isEqualTo(1);

    TestCertificates.Issued next = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(tlsFiles(next));

    // Nothing reads the view: the store's notification installs the generation on its own.
    await().atMost(Duration.ofSeconds(20)).until(() -> tls.parses() == 2);
    assertThat(tls.current().serialNumber()).isEqualTo(next.serial());
    assertThat(tls.parses()).isEqualTo(2);
  }
}
