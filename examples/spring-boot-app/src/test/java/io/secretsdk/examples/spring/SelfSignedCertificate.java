package io.secretsdk.examples.spring;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate made by the JDK's own {@code keytool}, as the PEM pair a {@code
 * kubernetes.io/tls} Secret holds.
 *
 * @param serial the certificate's serial number
 * @param tlsCrt the certificate, PEM
 * @param tlsKey the private key, PKCS#8 PEM
 */
record SelfSignedCertificate(BigInteger serial, String tlsCrt, String tlsKey) {

  /** A new EC P-256 certificate for {@code CN=orders}, valid for two days, made in {@code dir}. */
  static SelfSignedCertificate create(Path dir) throws Exception {
    Path store = Files.createTempFile(dir, "orders", ".p12");
    Files.delete(store);
    Process keytool =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    "web",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=orders",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    "changeit"))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, "changeit".toCharArray());
    }
    Files.delete(store);
    X509Certificate certificate = (X509Certificate) keyStore.getCertificate("web");
    PrivateKey key = (PrivateKey) keyStore.getKey("web", "changeit".toCharArray());
    return new SelfSignedCertificate(
        certificate.getSerialNumber(),
        pem("CERTIFICATE", certificate.getEncoded()),
        pem("PRIVATE KEY", key.getEncoded()));
  }

  /** The items of the Secret: {@code tls.crt} and {@code tls.key}. */
  Map<String, String> tlsSecret() {
    return Map.of("tls.crt", tlsCrt, "tls.key", tlsKey);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  @Override
  public String toString() {
    return "SelfSignedCertificate[serial=" + serial.toString(16) + "]";
  }
}
