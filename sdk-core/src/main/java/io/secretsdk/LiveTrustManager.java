package io.secretsdk;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that checks peers against the CA bundle of the material a {@link TlsView} has
 * installed now, or against the JDK's default trust store when that generation has no CA bundle.
 * Before any material is installed it trusts the JDK's defaults as well. Thread-safe.
 */
final class LiveTrustManager extends X509ExtendedTrustManager {

  private final Supplier<TlsMaterial> installed;
  private volatile X509ExtendedTrustManager jdkDefault;

  LiveTrustManager(Supplier<TlsMaterial> installed) {
    this.installed = installed;
  }

  private X509ExtendedTrustManager delegate() {
    TlsMaterial material = installed.get();
    if (material != null && material.caTrustManager() != null) {
      return material.caTrustManager();
    }
    X509ExtendedTrustManager fallback = jdkDefault;
    if (fallback == null) {
      fallback = jdkDefaultTrustManager();
      jdkDefault = fallback;
    }
    return fallback;
  }

  static X509ExtendedTrustManager jdkDefaultTrustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException(
          "the JDK's default trust manager factory made no X.509 trust manager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's default trust store cannot be loaded", e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate().checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate().getAcceptedIssuers();
  }
}
