package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key encoding cert-manager, OpenSSL and Go write parses into the same key, and a server made
 * from the view completes a real handshake with it. Encrypted keys are refused with a message that
 * says so.
 */
class TlsViewKeyEncodingTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;
  static final TestCertificates CA = new TestCertificates();
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

  static Stream<Arguments> keys() {
    return Stream.of(
        Arguments.of("RSA-2048", TestCertificates.KeyEncoding.PKCS8, "PRIVATE KEY"),
        Arguments.of("RSA-2048", TestCertificates.KeyEncoding.TRADITIONAL, "RSA PRIVATE KEY"),
        Arguments.of("EC-256", TestCertificates.KeyEncoding.PKCS8, "PRIVATE KEY"),
        Arguments.of("EC-256", TestCertificates.KeyEncoding.TRADITIONAL, "EC PRIVATE KEY"),
        Arguments.of("EC-384", TestCertificates.KeyEncoding.PKCS8, "PRIVATE KEY"),
        Arguments.of("EC-384", TestCertificates.KeyEncoding.TRADITIONAL, "EC PRIVATE KEY"),
        Arguments.of("Ed25519", TestCertificates.KeyEncoding.PKCS8, "PRIVATE KEY"));
  }

  private TlsView view(String kind, Map<String, String> files) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve(kind.toLowerCase()));
    writer.writeStrings(files);
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    tls = TlsView.of(store);
    return tls;
  }

  @ParameterizedTest(name = "{0} as {2}")
  @MethodSource("keys")
  void everyKeyEncodingParsesAndServesAHandshake(
      String kind, TestCertificates.KeyEncoding encoding, String label) throws Exception {
    KeyPair keys = TestCertificates.keyPair(kind);
    TestCertificates.Issued issued = CA.issue(keys);
    String keyPem = TestCertificates.keyPem(keys, encoding);
    assertThat(keyPem).startsWith("-----BEGIN " + label + "-----");

    TlsView view = view(kind, Map.of("tls.crt", CA.chainPem(issued), "tls.key", keyPem));

    TlsMaterial material = view.current();
    if (keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
      // SEC1 keeps the curve and public key inside the PKCS#8 encoding: compare the scalar.
      assertThat(((java.security.interfaces.ECPrivateKey) material.privateKey()).getS())
          .isEqualTo(ec.getS());
      assertThat(
              ((java.security.interfaces.ECPrivateKey) material.privateKey())
                  .getParams()
                  .getCurve())
          .isEqualTo(ec.getParams().getCurve());
    } else {
      assertThat(material.privateKey().getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }
    assertThat(material.serialNumber()).isEqualTo(issued.serial());
    assertThat(material.certificateChain()).containsExactly(issued.certificate(), CA.ca());
    assertThat(material.caCertificates()).isEmpty();
    assertThat(view.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(view.health().daysUntilExpiry().getAsLong()).isBetween(363L, 365L);
    String keyBody = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    assertThat(material.toString())
        .doesNotContain(keyBody.substring(keyBody.length() - 40))
        .contains("serial=");
    try (TlsTestServer server = new TlsTestServer(view.sslContext(), CA.ca())) {
      assertThat(server.handshakeSerial()).isEqualTo(issued.serial());
    }
  }

  @ParameterizedTest
  @MethodSource("encryptedKeys")
  void encryptedKeysAreRefusedWithAMessageThatSaysSo(
      String kind, TestCertificates.KeyEncoding encoding) {
    KeyPair keys = TestCertificates.keyPair(kind);
    TestCertificates.Issued issued = CA.issue(keys);
    String keyPem = TestCertificates.keyPem(keys, encoding);
    String[] lines = keyPem.split("\n");
    String keyLine = lines[lines.length - 2];
    TlsView view = view(kind, Map.of("tls.crt", CA.chainPem(issued), "tls.key", keyPem));

    assertThatThrownBy(view::current)
        .isInstanceOf(SecretException.class)
        .hasMessageContaining("tls.key")
        .hasMessageContaining("encrypted")
        .hasMessageContaining("not supported")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyLine));
    assertThat(view.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(view.health().lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("tls.key", "encrypted"));
  }

  static Stream<Arguments> encryptedKeys() {
    return Stream.of(
        Arguments.of("EC-256", TestCertificates.KeyEncoding.ENCRYPTED_PKCS8),
        Arguments.of("RSA-2048", TestCertificates.KeyEncoding.ENCRYPTED_TRADITIONAL));
  }

  @Test
  void aDamagedKeyIsRefusedWithoutQuotingIt() {
    KeyPair keys = TestCertificates.keyPair("RSA-2048");
    TestCertificates.Issued issued = CA.issue(keys);
    String keyPem = TestCertificates.keyPem(keys, TestCertificates.KeyEncoding.TRADITIONAL);
    String[] lines = keyPem.split("\n");
    // Drop a line in the middle: the base64 still decodes, the DER inside does not.
    StringBuilder damaged = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      if (i != lines.length / 2) {
        damaged.append(lines[i]).append('\n');
      }
    }
    TlsView view =
        view("damaged", Map.of("tls.crt", CA.chainPem(issued), "tls.key", damaged.toString()));

    assertThatThrownBy(view::current)
        .isInstanceOf(SecretException.class)
        .hasMessageContaining("tls.key")
        .satisfies(
            e -> {
              for (String line : lines) {
                if (!line.startsWith("-----")) {
                  assertThat(e.getMessage()).doesNotContain(line);
                }
              }
              assertThat(e.getCause()).isNull();
            });
    assertThat(view.health().lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("tls.key"));
  }

  @Test
  void aMissingKeyFileNamesTheMissingName() {
    TestCertificates.Issued issued = CA.issue(TestCertificates.keyPair("EC-256"));
    TlsView view = view("missing", Map.of("tls.crt", CA.chainPem(issued)));

    assertThatThrownBy(view::current).hasMessageContaining("tls.key is missing");
    assertThat(view.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
  }

  @Test
  void theKeyManagerOffersOnlyKeysOfTheRequestedType() {
    KeyPair keys = TestCertificates.keyPair("EC-256");
    TestCertificates.Issued issued = CA.issue(keys);
    TlsView view =
        view(
            "types",
            Map.of(
                "tls.crt",
                CA.chainPem(issued),
                "tls.key",
                TestCertificates.keyPem(keys, TestCertificates.KeyEncoding.PKCS8)));

    String alias = view.keyManager().chooseServerAlias("EC", null, null);
    assertThat(alias).isNotNull();
    assertThat(view.keyManager().getCertificateChain(alias)[0]).isEqualTo(issued.certificate());
    assertThat(view.keyManager().getPrivateKey(alias)).isEqualTo(keys.getPrivate());
    assertThat(view.keyManager().chooseServerAlias("RSA", null, null)).isNull();
    assertThat(view.keyManager().getPrivateKey("unknown")).isNull();
  }
}
