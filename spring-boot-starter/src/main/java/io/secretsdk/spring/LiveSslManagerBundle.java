package io.secretsdk.spring;

import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.springframework.boot.ssl.SslManagerBundle;

/**
 * The key and trust managers of one SSL bundle, live: they answer with the generation installed
 * last, so an {@code SSLContext} created once from the bundle (a {@code RestClient}, a {@code
 * WebClient}, Reactor Netty) presents the new certificate and trusts the new CA on its next
 * handshake. Aliases carry their generation ({@code g7.ssl}), so a handshake that chose an alias
 * before a rotation still gets that generation's key and chain, never a mix.
 *
 * <p>Thread-safe.
 */
final class LiveSslManagerBundle implements SslManagerBundle {

  private static final int KEPT_GENERATIONS = 4;

  private final LiveKeyManager keyManager = new LiveKeyManager();
  private final LiveTrustManager trustManager = new LiveTrustManager();
  private final KeyManagerFactory keyManagerFactory = new LiveKeyManagerFactory(keyManager);
  private final TrustManagerFactory trustManagerFactory = new LiveTrustManagerFactory(trustManager);
  private volatile Generation current;
  // Guarded by this: the last few generations, for aliases chosen before a rotation.
  private final Map<String, Generation> recent = new LinkedHashMap<>();

  LiveSslManagerBundle(SecretsSslBundleReader.Material first) {
    install(first);
  }

  /** Makes {@code material} the generation every later handshake uses. */
  synchronized void install(SecretsSslBundleReader.Material material) {
    Generation generation =
        new Generation(
            "g" + material.revision() + ".", material.keyManager(), material.trustManager());
    recent.put(generation.tag, generation);
    while (recent.size() > KEPT_GENERATIONS) {
      recent.remove(recent.keySet().iterator().next());
    }
    current = generation;
  }

  private synchronized Generation find(String alias) {
    int dot = alias == null ? -1 : alias.indexOf('.');
    return dot < 0 ? null : recent.get(alias.substring(0, dot + 1));
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory() {
    return keyManagerFactory;
  }

  @Override
  public TrustManagerFactory getTrustManagerFactory() {
    return trustManagerFactory;
  }

  private record Generation(
      String tag, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {

    String tagged(String alias) {
      return alias == null ? null : tag + alias;
    }

    String[] tagged(String[] aliases) {
      if (aliases == null) {
        return null;
      }
      String[] out = new String[aliases.length];
      for (int i = 0; i < aliases.length; i++) {
        out[i] = tag + aliases[i];
      }
      return out;
    }

    String untagged(String alias) {
      return alias.substring(tag.length());
    }
  }

  private final class LiveKeyManager extends X509ExtendedKeyManager {

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      Generation g = current;
      return g.tagged(g.keys.getClientAliases(keyType, issuers));
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      Generation g = current;
      return g.tagged(g.keys.chooseClientAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      Generation g = current;
      return g.tagged(g.keys.chooseEngineClientAlias(keyType, issuers, engine));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      Generation g = current;
      return g.tagged(g.keys.getServerAliases(keyType, issuers));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      Generation g = current;
      return g.tagged(g.keys.chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      Generation g = current;
      return g.tagged(g.keys.chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Generation g = find(alias);
      return g == null ? null : g.keys.getCertificateChain(g.untagged(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Generation g = find(alias);
      return g == null ? null : g.keys.getPrivateKey(g.untagged(alias));
    }
  }

  private final class LiveTrustManager extends X509ExtendedTrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trust.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trust.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trust.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trust.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.trust.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.trust.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.trust.getAcceptedIssuers();
    }
  }

  /** Names the factories' provider; holds no services. */
  private static final class LiveProvider extends Provider {

    private static final long serialVersionUID = 1L;

    LiveProvider() {
      super("secretsdk-live-ssl", "1", "secretsdk live SSL bundle managers");
    }
  }

  private static final class LiveKeyManagerFactory extends KeyManagerFactory {

    LiveKeyManagerFactory(KeyManager manager) {
      super(
          new KeyManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks, char[] password) {}

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {}

            @Override
            protected KeyManager[] engineGetKeyManagers() {
              return new KeyManager[] {manager};
            }
          },
          new LiveProvider(),
          "secretsdk-live");
    }
  }

  private static final class LiveTrustManagerFactory extends TrustManagerFactory {

    LiveTrustManagerFactory(TrustManager manager) {
      super(
          new TrustManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks) {}

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
              return new TrustManager[] {manager};
            }
          },
          new LiveProvider(),
          "secretsdk-live");
    }
  }
}
