package io.secretsdk.spring;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed EC P-256 certificates for 127.0.0.1, generated in the test with Bouncy Castle. */
final class TestCertificates {

  private TestCertificates() {}

  /** A certificate and its key, as a kubernetes.io/tls Secret holds them. */
  record Pem(BigInteger serial, String certificate, String privateKey) {

    /**
     * {@code tls.crt}, {@code tls.key}, and {@code ca.crt}: a self-signed certificate is its own
     * CA.
     */
    Map<String, String> tlsSecret() {
      return Map.of("tls.crt", certificate, "tls.key", privateKey, "ca.crt", certificate);
    }
  }

  static Pem selfSigned(long serial) {
    return selfSigned(
        serial,
        Instant.now().minus(Duration.ofMinutes(5)),
        Instant.now().plus(Duration.ofDays(30)));
  }

  static Pem selfSigned(long serial, Instant notBefore, Instant notAfter) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=secretsdk-test-" + serial);
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(serial),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
      ContentSigner signer =
          new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
      X509CertificateHolder holder = builder.build(signer);
      // PKCS#8 (BEGIN PRIVATE KEY), as cert-manager writes with privateKey.encoding: PKCS8.
      return new Pem(
          BigInteger.valueOf(serial),
          pem(holder),
          pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
