package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key manager behind {@link TlsView#sslContext()}: it answers only for key types that fit the
 * installed key (as the JDK's {@code SunX509} does, so the JSSE never tries a scheme the key cannot
 * sign), its alias names the generation, and an alias chosen before a rotation still resolves to
 * that generation's chain and key, so a handshake in flight never pairs two generations.
 */
class LiveKeyManagerTests {

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

  private static Map<String, String> files(TestCertificates.Issued issued) {
    return Map.of(
        "tls.crt",
        CA.chainPem(issued),
        "tls.key",
        TestCertificates.keyPem(issued.keyPair(), TestCertificates.KeyEncoding.PKCS8));
  }

  private KubernetesVolumeWriter start(TestCertificates.Issued issued) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    writer.writeStrings(files(issued));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    tls = TlsView.of(store);
    return writer;
  }

  @Test
  void answersOnlyForKeyTypesThatFitTheInstalledKey() {
    start(CA.issue(TestCertificates.keyPair("EC-256")));
    var keys = tls.keyManager();

    assertThat(keys.chooseServerAlias("EC", null, null)).startsWith("secretsdk-");
    assertThat(keys.chooseServerAlias("RSA", null, null)).isNull();
    assertThat(keys.chooseServerAlias("RSASSA-PSS", null, null)).isNull();
    assertThat(keys.chooseServerAlias("EdDSA", null, null)).isNull();
    assertThat(keys.chooseEngineServerAlias("EC", null, null))
        .isEqualTo(keys.chooseServerAlias("EC", null, null));
    assertThat(keys.chooseClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo(keys.chooseServerAlias("EC", null, null));
    assertThat(keys.getServerAliases("RSA", null)).isNull();
  }

  @Test
  void anRsaKeyIsOfferedForRsaAndNotForEc() {
    start(CA.issue(TestCertificates.keyPair("RSA-2048")));
    var keys = tls.keyManager();

    assertThat(keys.chooseServerAlias("EC", null, null)).isNull();
    assertThat(keys.chooseServerAlias("RSA", null, null)).startsWith("secretsdk-");
    assertThat(keys.getPrivateKey(keys.chooseServerAlias("RSA", null, null)).getAlgorithm())
        .isEqualTo("RSA");
  }

  @Test
  void anAliasChosenBeforeARotationStillResolvesToItsOwnGeneration() {
    TestCertificates.Issued first = CA.issue(TestCertificates.keyPair("EC-256"));
    KubernetesVolumeWriter writer = start(first);
    var keys = tls.keyManager();
    String before = keys.chooseServerAlias("EC", null, null);

    TestCertificates.Issued second = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(files(second));
    store.refresh();
    String after = keys.chooseServerAlias("EC", null, null);

    assertThat(after).isNotEqualTo(before);
    assertThat(keys.getCertificateChain(before)[0].getSerialNumber()).isEqualTo(first.serial());
    assertThat(keys.getPrivateKey(before)).isEqualTo(first.keyPair().getPrivate());
    assertThat(keys.getCertificateChain(after)[0].getSerialNumber()).isEqualTo(second.serial());
    assertThat(keys.getPrivateKey(after)).isEqualTo(second.keyPair().getPrivate());
    assertThat(keys.getCertificateChain("secretsdk-unknown")).isNull();
    assertThat(keys.getPrivateKey(null)).isNull();
  }

  @Test
  void theChainHandedOutIsACopy() {
    start(CA.issue(TestCertificates.keyPair("EC-256")));
    var keys = tls.keyManager();
    String alias = keys.chooseServerAlias("EC", null, null);

    X509Certificate[] chain = keys.getCertificateChain(alias);
    X509Certificate leaf = chain[0];
    chain[0] = null;

    assertThat(keys.getCertificateChain(alias)[0]).isSameAs(leaf);
    assertThat(keys.getCertificateChain(alias)).hasSize(tls.current().certificateChain().size());
  }
}
