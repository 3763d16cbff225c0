package io.secretsdk;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that always offers the material a {@link TlsView} has installed now. The alias it
 * chooses names the generation ({@code secretsdk-<n>}), and the chain and key are looked up by that
 * alias, so one handshake gets chain and key of the same generation even when a rotation lands
 * between the JSSE's calls. The last few generations stay resolvable for handshakes in flight.
 * Thread-safe.
 */
final class LiveKeyManager extends X509ExtendedKeyManager {

  private static final String PREFIX = "secretsdk-";
  private static final int KEPT = 8;

  private final Supplier<TlsMaterial> installed;
  // Guarded by "this"; read under the lock too (a handful of entries, rarely written).
  private final Map<String, TlsMaterial> recent = new LinkedHashMap<>();

  LiveKeyManager(Supplier<TlsMaterial> installed) {
    this.installed = installed;
  }

  private String alias(String[] keyTypes) {
    TlsMaterial material = installed.get();
    if (material == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      if (keyType != null && keyTypeMatches(keyType, material)) {
        String alias = PREFIX + material.sequence();
        remember(alias, material);
        return alias;
      }
    }
    return null;
  }

  private synchronized void remember(String alias, TlsMaterial material) {
    if (recent.containsKey(alias)) {
      return;
    }
    recent.put(alias, material);
    Iterator<String> oldest = recent.keySet().iterator();
    while (recent.size() > KEPT) {
      oldest.next();
      oldest.remove();
    }
  }

  private synchronized TlsMaterial lookup(String alias) {
    return alias == null ? null : recent.get(alias);
  }

  /**
   * The JSSE asks for {@code RSA}, {@code EC}, {@code EdDSA}, {@code RSASSA-PSS}, and in TLS 1.2
   * also {@code EC_EC} / {@code EC_RSA} (key algorithm, then the algorithm that signed the
   * certificate).
   */
  static boolean keyTypeMatches(String keyType, TlsMaterial material) {
    String keyAlgorithm = keyType;
    String signedWith = null;
    int underscore = keyType.indexOf('_');
    if (underscore > 0) {
      keyAlgorithm = keyType.substring(0, underscore);
      signedWith = keyType.substring(underscore + 1);
    }
    String actual = material.privateKey().getAlgorithm();
    boolean algorithmMatches =
        keyAlgorithm.equals(actual)
            || (keyAlgorithm.equals("EdDSA")
                && (actual.equals("Ed25519") || actual.equals("Ed448")))
            || (actual.equals("EdDSA")
                && (keyAlgorithm.equals("Ed25519") || keyAlgorithm.equals("Ed448")));
    if (!algorithmMatches) {
      return false;
    }
    return signedWith == null
        || material.certificate().getSigAlgName().toUpperCase(Locale.ROOT).contains(signedWith);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = alias(new String[] {keyType});
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return alias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return alias(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = alias(new String[] {keyType});
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(new String[] {keyType});
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(new String[] {keyType});
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsMaterial material = lookup(alias);
    return material == null ? null : material.certificateChain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    TlsMaterial material = lookup(alias);
    return material == null ? null : material.privateKey();
  }

  @Override
  public String toString() {
    return "LiveKeyManager";
  }
}
