package io.secretsdk.spring;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code secretsdk.ssl.*} settings: Spring Boot SSL bundles served from mounted {@code
 * kubernetes.io/tls} volumes and reloaded on every generation.
 *
 * <pre>
 * secretsdk.ssl.bundle.web.location=/etc/tls
 * server.ssl.bundle=web
 * </pre>
 *
 * <p>Mutable bean bound by Spring; not thread-safe while binding, read-only afterwards.
 */
@ConfigurationProperties("secretsdk.ssl")
public class SecretsSslProperties {

  /**
   * SSL bundles by name, each read from a mounted kubernetes.io/tls volume, registered with Spring
   * Boot's SslBundleRegistry and available as a TlsView bean named <name>TlsView.
   */
  private final Map<String, Bundle> bundle = new LinkedHashMap<>();

  /** Creates empty settings, for binding. */
  public SecretsSslProperties() {}

  /** The SSL bundles by name, each registered with Spring Boot's {@code SslBundleRegistry}. */
  public Map<String, Bundle> getBundle() {
    return bundle;
  }

  /** One SSL bundle read from a mounted volume. Not thread-safe while binding. */
  public static class Bundle {

    /** The mounted directory, for example /etc/tls (a kubernetes.io/tls Secret volume). */
    private Path location;

    private final KeyStore keystore = new KeyStore();

    private final TrustStore truststore = new TrustStore();

    /** Creates default settings, for binding. */
    public Bundle() {}

    /** The mounted directory. */
    public Path getLocation() {
      return location;
    }

    /** Sets the mounted directory. */
    public void setLocation(Path location) {
      this.location = location;
    }

    /** The files of the certificate chain and private key. */
    public KeyStore getKeystore() {
      return keystore;
    }

    /** The file of the trusted CA certificates. */
    public TrustStore getTruststore() {
      return truststore;
    }
  }

  /** The key store files, relative to the location. Not thread-safe while binding. */
  public static class KeyStore {

    /** The certificate chain file (PEM), leaf first, relative to the location. */
    private String certificate = "tls.crt";

    /** The private key file (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC), relative to the location. */
    private String privateKey = "tls.key";

    /** Creates default settings, for binding. */
    public KeyStore() {}

    /** The certificate chain file. */
    public String getCertificate() {
      return certificate;
    }

    /** Sets the certificate chain file. */
    public void setCertificate(String certificate) {
      this.certificate = certificate;
    }

    /** The private key file. */
    public String getPrivateKey() {
      return privateKey;
    }

    /** Sets the private key file. */
    public void setPrivateKey(String privateKey) {
      this.privateKey = privateKey;
    }
  }

  /** The trust store file, relative to the location. Not thread-safe while binding. */
  public static class TrustStore {

    /**
     * The CA certificates file (PEM), relative to the location; no trust store while it is absent.
     */
    private String certificate = "ca.crt";

    /** Creates default settings, for binding. */
    public TrustStore() {}

    /** The CA certificates file. */
    public String getCertificate() {
      return certificate;
    }

    /** Sets the CA certificates file. */
    public void setCertificate(String certificate) {
      this.certificate = certificate;
    }
  }
}
