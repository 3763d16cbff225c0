package io.secretsdk;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test-only certificate authority: key pairs of every kind the TLS view reads, certificates with
 * chosen serial numbers and validity, and PEM text in every key encoding (written by Bouncy Castle,
 * so the view's own decoders are checked against an independent encoder).
 */
final class TestCertificates {

  /** The private-key encodings cert-manager, OpenSSL and friends write. */
  enum KeyEncoding {
    PKCS8,
    /** {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY}, OpenSSL's "traditional" format. */
    TRADITIONAL,
    ENCRYPTED_PKCS8,
    ENCRYPTED_TRADITIONAL
  }

  /** A certificate and its key pair. */
  record Issued(X509Certificate certificate, KeyPair keyPair) {
    BigInteger serial() {
      return certificate.getSerialNumber();
    }
  }

  private static final java.security.Provider BC =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();
  private static final AtomicLong SERIALS = new AtomicLong(0x1000);
  private final KeyPair caKeys;
  private final X509Certificate ca;

  TestCertificates() {
    caKeys = keyPair("EC-256");
    Instant now = Instant.now();
    ca =
        build(
            new X500Name("CN=secretsdk test CA"),
            caKeys,
            new X500Name("CN=secretsdk test CA"),
            caKeys.getPublic(),
            BigInteger.valueOf(SERIALS.incrementAndGet()),
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(3650)),
            true);
  }

  X509Certificate ca() {
    return ca;
  }

  /** {@code RSA-2048}, {@code EC-256}, {@code EC-384} or {@code Ed25519}. */
  static KeyPair keyPair(String kind) {
    try {
      KeyPairGenerator generator;
      switch (kind) {
        case "RSA-2048" -> {
          generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(2048);
        }
        case "EC-256", "EC-384" -> {
          generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(
              new ECGenParameterSpec(kind.equals("EC-256") ? "secp256r1" : "secp384r1"));
        }
        case "Ed25519" -> generator = KeyPairGenerator.getInstance("Ed25519");
        default -> throw new IllegalArgumentException(kind);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A leaf for {@code localhost}/{@code 127.0.0.1}, valid from a day ago for a year. */
  Issued issue(KeyPair keys) {
    Instant now = Instant.now();
    return issue(keys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
  }

  Issued issue(KeyPair keys, Instant notBefore, Instant notAfter) {
    BigInteger serial = BigInteger.valueOf(SERIALS.incrementAndGet());
    X509Certificate leaf =
        build(
            new X500Name("CN=secretsdk test CA"),
            caKeys,
            new X500Name("CN=localhost"),
            keys.getPublic(),
            serial,
            notBefore,
            notAfter,
            false);
    return new Issued(leaf, keys);
  }

  private static X509Certificate build(
      X500Name issuer,
      KeyPair issuerKeys,
      X500Name subject,
      java.security.PublicKey subjectKey,
      BigInteger serial,
      Instant notBefore,
      Instant notAfter,
      boolean isCa) {
    try {
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (!isCa) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
      }
      String algorithm =
          issuerKeys.getPrivate().getAlgorithm().equals("RSA")
              ? "SHA256withRSA"
              : "SHA256withECDSA";
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("could not build a test certificate", e);
    }
  }

  /** A certificate chain file: the leaf, then the CA (as cert-manager writes tls.crt). */
  String chainPem(Issued issued) {
    return certificatePem(issued.certificate()) + certificatePem(ca);
  }

  String caPem() {
    return certificatePem(ca);
  }

  static String certificatePem(X509Certificate certificate) {
    try {
      return pem("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /**
   * The key in {@code encoding}. SEC1 ({@code EC PRIVATE KEY}) is written as OpenSSL and Go's
   * {@code x509.MarshalECPrivateKey} write it: with the named curve and the public key.
   */
  static String keyPem(KeyPair keys, KeyEncoding encoding) {
    PrivateKey key = keys.getPrivate();
    if (encoding == KeyEncoding.TRADITIONAL
        && key instanceof java.security.interfaces.ECPrivateKey ec) {
      try {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicInfo =
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                keys.getPublic().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
            new org.bouncycastle.asn1.sec.ECPrivateKey(
                ec.getParams().getOrder().bitLength(),
                ec.getS(),
                publicInfo.getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return pem("EC PRIVATE KEY", sec1.getEncoded());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        switch (encoding) {
          case PKCS8 -> writer.writeObject(new JcaPKCS8Generator(key, null));
          case TRADITIONAL -> writer.writeObject(key);
          case ENCRYPTED_PKCS8 ->
              writer.writeObject(
                  new JcaPKCS8Generator(
                      key,
                      new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                          .setProvider(BC)
                          .setRandom(new SecureRandom())
                          .setPassword("changeit".toCharArray())
                          .build()));
          case ENCRYPTED_TRADITIONAL ->
              writer.writeObject(
                  key,
                  new JcePEMEncryptorBuilder("AES-128-CBC")
                      .setProvider(BC)
                      .build("changeit".toCharArray()));
        }
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
