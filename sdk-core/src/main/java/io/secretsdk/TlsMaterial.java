package io.secretsdk;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One generation of TLS material: a certificate chain, the private key of its first certificate,
 * and the CA certificates of the generation's optional CA bundle, all read from one {@link
 * SecretSnapshot}, so the key always belongs to the certificate next to it. {@link TlsView} hands
 * out only material that passed its checks (the chain parses, the key matches the leaf, the leaf is
 * within its validity period when installed).
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the leaf's subject, serial number and
 * expiry, never the key. Two instances are equal when chain, key and CA certificates are equal.
 */
public final class TlsMaterial {

  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final List<X509Certificate> caCertificates;
  private final X509ExtendedTrustManager caTrustManager;
  private final long sequence;
  // Precomputed for the key manager, which answers every handshake from these fields alone.
  private final X509Certificate[] chainArray;
  private final String alias;
  private final String keyAlgorithm;
  private final String certificateSignatureAlgorithm;

  TlsMaterial(
      List<X509Certificate> chain,
      PrivateKey privateKey,
      List<X509Certificate> caCertificates,
      X509ExtendedTrustManager caTrustManager,
      long sequence) {
    this.chain = List.copyOf(chain);
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.caCertificates = List.copyOf(caCertificates);
    this.caTrustManager = caTrustManager;
    this.sequence = sequence;
    if (this.chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least one certificate");
    }
    this.chainArray = this.chain.toArray(new X509Certificate[0]);
    this.alias = "secretsdk-" + sequence;
    this.keyAlgorithm = privateKey.getAlgorithm();
    this.certificateSignatureAlgorithm = this.chain.get(0).getSigAlgName().toUpperCase(Locale.ROOT);
  }

  /** The certificate chain as the certificate file holds it, leaf first. Unmodifiable. */
  public List<X509Certificate> certificateChain() {
    return chain;
  }

  /** The leaf: the first certificate of the chain, the one the private key belongs to. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The private key of {@link #certificate()}. Never logged or printed by secretsdk. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /**
   * The certificates of the CA bundle ({@code ca.crt} by default) of the same generation, or an
   * empty list when the generation has none. Unmodifiable.
   */
  public List<X509Certificate> caCertificates() {
    return caCertificates;
  }

  /** The leaf's serial number. */
  public BigInteger serialNumber() {
    return certificate().getSerialNumber();
  }

  /** When the leaf stops being valid. */
  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** When the leaf starts being valid. */
  public Instant notBefore() {
    return certificate().getNotBefore().toInstant();
  }

  /** The trust manager built from the CA bundle, or {@code null} when there is none. */
  X509ExtendedTrustManager caTrustManager() {
    return caTrustManager;
  }

  /** A number unique to this parse within the JVM; the key manager's alias is made from it. */
  long sequence() {
    return sequence;
  }

  /** The key manager's alias for this material, {@code secretsdk-<sequence>}. */
  String alias() {
    return alias;
  }

  /** A copy of the chain as an array, as a key manager hands it out (the JSSE may keep it). */
  X509Certificate[] chainArray() {
    return chainArray.clone();
  }

  /** The private key's algorithm ({@code EC}, {@code RSA}, {@code Ed25519}, ...). */
  String keyAlgorithm() {
    return keyAlgorithm;
  }

  /** The leaf's signature algorithm, upper case ({@code SHA256WITHECDSA}). */
  String certificateSignatureAlgorithm() {
    return certificateSignatureAlgorithm;
  }

  /** Equal when chain, key and CA certificates are equal (keys compare their encodings). */
  @Override
  public boolean equals(Object o) {
    return o instanceof TlsMaterial other
        && chain.equals(other.chain)
        && caCertificates.equals(other.caCertificates)
        && privateKey.equals(other.privateKey);
  }

  /** Hashes the certificates only, so the hash says nothing about the key. */
  @Override
  public int hashCode() {
    return chain.hashCode() * 31 + caCertificates.hashCode();
  }

  /** Subject, serial number, expiry and key algorithm of the leaf; never the key. */
  @Override
  public String toString() {
    return "TlsMaterial[subject="
        + certificate().getSubjectX500Principal().getName()
        + ", serial="
        + serialNumber().toString(16)
        + ", notAfter="
        + notAfter()
        + ", chain="
        + chain.size()
        + ", key="
        + privateKey.getAlgorithm()
        + ", caCertificates="
        + caCertificates.size()
        + "]";
  }
}
