package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time, through the view's clock: days until expiry in health, a served certificate that expires
 * turns health DEGRADED while it is still served, and a generation refused as not yet valid is
 * installed once its time has come, without any new write.
 */
class TlsViewExpiryTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  static final TestCertificates CA = new TestCertificates();
  @TempDir Path tmp;
  SecretStore store;
  TlsView tls;

  @AfterEach
  void close() {
    if (tls != null) {
      tls.close();
    }
    if (store != null) {
      store.close();
    }
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      now = start;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static Map<String, String> files(TestCertificates.Issued issued) {
    return Map.of(
        "tls.crt",
        CA.chainPem(issued),
        "tls.key",
        TestCertificates.keyPem(issued.keyPair(), TestCertificates.KeyEncoding.PKCS8));
  }

  @Test
  void healthCountsTheDaysLeftAndTurnsDegradedWhenTheServedCertificateExpires() {
    Instant now = Instant.now();
    TestCertificates.Issued issued =
        CA.issue(
            TestCertificates.keyPair("EC-256"),
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(30)));
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(files(issued));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    // One second in: certificates have whole seconds, so 29 full days and a bit are left.
    MovableClock clock = new MovableClock(now.plusSeconds(1));
    tls = TlsView.builder(store).clock(clock).build();

    assertThat(tls.health().daysUntilExpiry().getAsLong()).isEqualTo(29);
    assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    clock.set(now.plus(Duration.ofDays(29)).plus(Duration.ofHours(12)));
    assertThat(tls.health().daysUntilExpiry().getAsLong()).isZero();
    assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    clock.set(now.plus(Duration.ofDays(32)));
    SecretViewHealth expired = tls.health();
    assertThat(expired.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
    assertThat(expired.daysUntilExpiry().getAsLong()).isNegative();
    assertThat(expired.lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("tls.crt", "expired"));
    // Still served: nothing better is available.
    assertThat(tls.current().serialNumber()).isEqualTo(issued.serial());
  }

  @Test
  void aGenerationNotYetValidIsInstalledOnceItsTimeHasCome() {
    Instant now = Instant.now();
    TestCertificates.Issued current =
        CA.issue(
            TestCertificates.keyPair("EC-256"),
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(30)));
    TestCertificates.Issued early =
        CA.issue(
            TestCertificates.keyPair("EC-256"),
            now.plus(Duration.ofHours(1)),
            now.plus(Duration.ofDays(60)));
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(files(current));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    MovableClock clock = new MovableClock(now);
    tls = TlsView.builder(store).clock(clock).build();
    assertThat(tls.current().serialNumber()).isEqualTo(current.serial());

    writer.writeStrings(files(early));
    store.refresh();
    assertThat(tls.current().serialNumber()).isEqualTo(current.serial());
    assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
    assertThat(tls.health().lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("tls.crt", "not valid before"));
    long parses = tls.parses();

    clock.set(now.plus(Duration.ofHours(2)));
    assertThat(tls.current().serialNumber()).isEqualTo(early.serial());
    assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(tls.parses()).as("installed from the parse already made").isEqualTo(parses);
  }
}
