package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Path;
import java.time.Instant;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveSslManagerBundleTests {

  @TempDir Path dir;

  private SecretsSslBundleReader.Material generation(
      KubernetesVolumeWriter volume, TestCertificates.Pem pem) {
    volume.writeStrings(pem.tlsSecret());
    SecretsSslProperties.Bundle properties = new SecretsSslProperties.Bundle();
    properties.setLocation(volume.volume());
    try (SecretStore store = SecretStore.builder().mount(volume.volume()).watch(false).build()) {
      return new SecretsSslBundleReader("web", properties).read(store.snapshot(), Instant.now());
    }
  }

  @Test
  void anAliasChosenBeforeARotationKeepsItsGenerationsKeyAndChain() throws Exception {
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(dir.resolve("tls"));
    TestCertificates.Pem a = TestCertificates.selfSigned(41);
    TestCertificates.Pem b = TestCertificates.selfSigned(42);
    SecretsSslBundleReader.Material first = generation(volume, a);
    LiveSslManagerBundle live = new LiveSslManagerBundle(first);
    X509ExtendedKeyManager keys =
        (X509ExtendedKeyManager) live.getKeyManagerFactory().getKeyManagers()[0];

    String before = keys.chooseServerAlias("EC", null, null);
    SecretsSslBundleReader.Material second = generation(volume, b);
    live.install(
        new SecretsSslBundleReader.Material(
            second.stores(),
            second.keyManager(),
            second.trustManager(),
            second.leaf(),
            first.revision() + 1));
    String after = keys.chooseServerAlias("EC", null, null);

    assertThat(before).isNotEqualTo(after);
    assertThat(keys.getCertificateChain(before)[0].getSerialNumber()).isEqualTo(a.serial());
    assertThat(keys.getCertificateChain(after)[0].getSerialNumber()).isEqualTo(b.serial());
    assertThat(
            SecretsSslBundleReader.matches(
                keys.getPrivateKey(before), keys.getCertificateChain(before)[0].getPublicKey()))
        .isTrue();
    assertThat(
            SecretsSslBundleReader.matches(
                keys.getPrivateKey(after), keys.getCertificateChain(after)[0].getPublicKey()))
        .isTrue();
    assertThat(
            SecretsSslBundleReader.matches(
                keys.getPrivateKey(before), keys.getCertificateChain(after)[0].getPublicKey()))
        .isFalse();
    assertThat(live.getTrustManagerFactory().getTrustManagers()).hasSize(1);
    assertThat(keys.getCertificateChain("unknown")).isNull();
  }
}
