package io.secretsdk;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Parses one generation of TLS files into {@link TlsMaterial} and decides whether it may be
 * installed: the chain parses, the key parses and belongs to the leaf, the CA bundle (when present)
 * parses. The time check is separate ({@link #validityProblem}), because a not-yet-valid
 * certificate becomes installable later without its content changing. Messages name the file and
 * never its content. Stateless apart from a sequence counter; thread-safe.
 */
final class TlsMaterialReader {

  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TlsMaterialReader() {}

  /**
   * The material of one generation.
   *
   * @param certificate the certificate file's secret, or {@code null} when missing
   * @param key the private key file's secret, or {@code null} when missing
   * @param ca the CA bundle's secret, or {@code null} when the generation has none
   * @param names the names looked up, for messages about missing files: certificate, key, CA
   * @throws SecretException naming the file and what is wrong
   */
  static TlsMaterial read(Secret certificate, Secret key, Secret ca, List<String> names) {
    if (certificate == null || key == null) {
      throw new SecretException(
          (certificate == null ? names.get(0) : names.get(1))
              + " is missing from the store; a kubernetes.io/tls Secret has "
              + names.get(0)
              + " and "
              + names.get(1)
              + " (check the mount and the name prefix)");
    }
    String certFile = describe(certificate);
    String keyFile = describe(key);
    List<X509Certificate> chain =
        certificates(PemReader.read(certificate.bytes(), certFile), certFile);
    byte[] keyBytes = key.bytes();
    PrivateKey privateKey;
    try {
      privateKey = PrivateKeyDecoder.decode(PemReader.read(keyBytes, keyFile), keyFile);
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
    if (!matches(privateKey, chain.get(0).getPublicKey())) {
      throw new SecretException(
          keyFile
              + ": the private key does not belong to the first certificate of "
              + certFile
              + "; both files must come from the same issuance");
    }
    List<X509Certificate> caCertificates = List.of();
    X509ExtendedTrustManager trust = null;
    if (ca != null) {
      String caFile = describe(ca);
      caCertificates = certificates(PemReader.read(ca.bytes(), caFile), caFile);
      trust = trustManager(caCertificates, caFile);
    }
    return new TlsMaterial(chain, privateKey, caCertificates, trust, SEQUENCE.incrementAndGet());
  }

  /**
   * Why the leaf may not be installed at {@code now}, or {@code null} when it may: not yet valid,
   * or expired.
   */
  static String validityProblem(TlsMaterial material, Instant now, String certFile) {
    if (now.isBefore(material.notBefore())) {
      return certFile
          + ": the certificate (serial "
          + material.serialNumber().toString(16)
          + ") is not valid before "
          + material.notBefore()
          + "; it is installed from then on";
    }
    if (now.isAfter(material.notAfter())) {
      return certFile
          + ": the certificate (serial "
          + material.serialNumber().toString(16)
          + ") expired at "
          + material.notAfter()
          + "; renew it (is cert-manager running?)";
    }
    return null;
  }

  static String describe(Secret secret) {
    return secret.name() + " (" + secret.origin() + ")";
  }

  private static List<X509Certificate> certificates(List<PemReader.Block> blocks, String file) {
    List<X509Certificate> result = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    int index = 0;
    for (PemReader.Block block : blocks) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      index++;
      try {
        result.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException | RuntimeException e) {
        throw new SecretException(
            file
                + ": certificate "
                + index
                + " does not parse as X.509 ("
                + e.getClass().getSimpleName()
                + ")");
      }
    }
    if (result.isEmpty()) {
      throw new SecretException(
          file
              + ": no CERTIFICATE block found; expected -----BEGIN CERTIFICATE----- blocks, leaf first");
    }
    return result;
  }

  private static X509ExtendedTrustManager trustManager(
      List<X509Certificate> certificates, String file) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new SecretException(
          file + ": the JDK made no X.509 trust manager from the CA certificates");
    } catch (GeneralSecurityException | IOException e) {
      throw new SecretException(
          file
              + ": the CA certificates cannot be used as trust anchors ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /** Whether {@code key} is the private half of {@code certificateKey}. */
  static boolean matches(PrivateKey key, PublicKey certificateKey) {
    if (key instanceof RSAKey rsa && certificateKey instanceof RSAPublicKey publicRsa) {
      if (!rsa.getModulus().equals(publicRsa.getModulus())) {
        return false;
      }
      return !(key instanceof RSAPrivateCrtKey crt)
          || crt.getPublicExponent().equals(publicRsa.getPublicExponent());
    }
    String algorithm = signatureAlgorithm(key);
    if (algorithm == null
        || !family(key.getAlgorithm()).equals(family(certificateKey.getAlgorithm()))) {
      return false;
    }
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static String family(String algorithm) {
    return switch (algorithm) {
      case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
      default -> algorithm;
    };
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (family(key.getAlgorithm())) {
      case "EC" -> "SHA256withECDSA";
      case "EdDSA" -> "EdDSA";
      default -> null;
    };
  }
}
