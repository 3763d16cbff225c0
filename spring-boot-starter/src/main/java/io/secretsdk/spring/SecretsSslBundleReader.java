package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretOrigin;
import io.secretsdk.SecretSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.pem.PemContent;
import org.springframework.boot.ssl.pem.PemSslStore;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;

/**
 * Turns one snapshot of a TLS volume into the stores and managers of a Spring Boot {@link
 * SslBundle}, with Boot's own PEM types, so certificate, key and CA always come from the same
 * generation. Refuses a generation whose certificate or key does not parse, whose key does not
 * match the leaf certificate, or whose leaf certificate is not valid now; the message names the
 * file, never its content.
 *
 * <p>Immutable and thread-safe.
 */
final class SecretsSslBundleReader {

  private static final byte[] PROBE =
      "secretsdk key match probe".getBytes(StandardCharsets.US_ASCII);

  private final String bundleName;
  private final String certificateName;
  private final String privateKeyName;
  private final String caName;

  SecretsSslBundleReader(String bundleName, SecretsSslProperties.Bundle properties) {
    this.bundleName = bundleName;
    this.certificateName = secretName(properties.getKeystore().getCertificate());
    this.privateKeyName = secretName(properties.getKeystore().getPrivateKey());
    this.caName = secretName(properties.getTruststore().getCertificate());
  }

  /**
   * The store name of a file given relative to the volume: {@code certs/tls.crt} is {@code
   * certs.tls.crt}.
   */
  private static String secretName(String file) {
    String trimmed = file.trim();
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    return trimmed.replace('/', '.');
  }

  /** The store name of the certificate chain file. */
  String certificateName() {
    return certificateName;
  }

  /** The store name of the private key file. */
  String privateKeyName() {
    return privateKeyName;
  }

  /** The store name of the CA certificates file. */
  String caName() {
    return caName;
  }

  /** Whether a change of these names concerns the bundle. */
  boolean concerns(Set<String> names) {
    return names.contains(certificateName)
        || names.contains(privateKeyName)
        || names.contains(caName);
  }

  /**
   * The bundle of {@code snapshot}'s generation.
   *
   * @throws SslMaterialException naming the file that cannot be served
   */
  Material read(SecretSnapshot snapshot, Instant now) {
    Secret certificateFile = require(snapshot, certificateName, "certificate");
    Secret keyFile = require(snapshot, privateKeyName, "private key");
    Secret caFile = snapshot.find(caName);

    List<X509Certificate> chain = certificates(certificateFile);
    PrivateKey key;
    try {
      key = PemContent.of(text(keyFile)).getPrivateKey();
    } catch (RuntimeException e) {
      key = null;
    }
    if (key == null) {
      throw failure(
          "the private key in "
              + where(keyFile)
              + " does not parse: write a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC); encrypted keys are not supported");
    }
    X509Certificate leaf = chain.get(0);
    if (!matches(key, leaf.getPublicKey())) {
      throw failure(
          "the private key in "
              + where(keyFile)
              + " does not match the first certificate in "
              + where(certificateFile)
              + ": write the key and its certificate in the same update");
    }
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw failure(
          "the certificate in "
              + where(certificateFile)
              + " expired on "
              + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw failure(
          "the certificate in "
              + where(certificateFile)
              + " is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    PemSslStore keyStore = PemSslStore.of(chain, key);
    PemSslStore trustStore = caFile == null ? null : PemSslStore.of(certificates(caFile), null);
    SslStoreBundle stores = new PemSslStoreBundle(keyStore, trustStore);
    X509ExtendedKeyManager keyManager;
    X509ExtendedTrustManager trustManager;
    try {
      // Build stores and managers now, so a bad generation fails here and never reaches a server.
      SslManagerBundle managers = SslManagerBundle.from(stores, SslBundleKey.NONE);
      keyManager =
          first(managers.getKeyManagerFactory().getKeyManagers(), X509ExtendedKeyManager.class);
      trustManager =
          first(
              managers.getTrustManagerFactory().getTrustManagers(), X509ExtendedTrustManager.class);
    } catch (RuntimeException e) {
      throw failure(
          "cannot build a key store from "
              + where(certificateFile)
              + " and "
              + where(keyFile)
              + (caFile == null ? "" : " with the CA certificates in " + where(caFile)));
    }
    return new Material(stores, keyManager, trustManager, leaf, snapshot.revision());
  }

  private static <T> T first(Object[] managers, Class<T> type) {
    for (Object manager : managers) {
      if (type.isInstance(manager)) {
        return type.cast(manager);
      }
    }
    throw new IllegalStateException("no " + type.getSimpleName());
  }

  private Secret require(SecretSnapshot snapshot, String name, String what) {
    Secret secret = snapshot.find(name);
    if (secret == null) {
      throw failure("the " + what + " file '" + name + "' is missing from the volume");
    }
    return secret;
  }

  private List<X509Certificate> certificates(Secret file) {
    List<X509Certificate> certificates;
    try {
      certificates = PemContent.of(text(file)).getCertificates();
    } catch (RuntimeException e) {
      certificates = List.of();
    }
    if (certificates.isEmpty()) {
      throw failure(
          "the certificates in "
              + where(file)
              + " do not parse: write PEM certificates (BEGIN CERTIFICATE)");
    }
    return certificates;
  }

  private static String text(Secret secret) {
    return secret.isText() ? secret.asString() : "";
  }

  private static String where(Secret secret) {
    return secret.origin() instanceof SecretOrigin.File file
        ? file.path().toString()
        : secret.name();
  }

  private SslMaterialException failure(String message) {
    return new SslMaterialException("SSL bundle '" + bundleName + "': " + message);
  }

  /** Signs a probe with the private key and verifies it with the certificate's public key. */
  static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          case "DSA" -> "SHA256withDSA";
          default -> null;
        };
    if (algorithm == null) {
      // An algorithm we cannot probe: the server's own handshake is the check.
      return true;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * One generation ready to serve: its stores, the key and trust managers built from them, its leaf
   * certificate and the store revision.
   */
  record Material(
      SslStoreBundle stores,
      X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager,
      X509Certificate leaf,
      long revision) {

    /** Revision and serial; never key material. */
    @Override
    public String toString() {
      return "Material[revision="
          + revision
          + ", serial="
          + leaf.getSerialNumber().toString(16)
          + "]";
    }
  }
}
