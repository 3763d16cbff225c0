package io.secretsdk;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that always offers the material a {@link TlsView} has installed now. The alias it
 * chooses names the generation ({@code secretsdk-<n>}), and the chain and key are looked up by that
 * alias, so one handshake gets chain and key of the same generation even when a rotation lands
 * between the JSSE's calls. The last few generations stay resolvable for handshakes in flight.
 *
 * <p>Per handshake the JSSE calls {@code chooseServerAlias} once per key type it can use (the same
 * calls it makes on the JDK's {@code SunX509} key manager), then {@code getPrivateKey} and {@code
 * getCertificateChain}. Each answer is a volatile read of the installed material (the view checks
 * the store's snapshot by identity) and its precomputed final fields: no parsing, no lock, no
 * allocation beyond the chain copy the JDK's own key managers make too. Thread-safe.
 */
final class LiveKeyManager extends X509ExtendedKeyManager {

  private static final int KEPT = 8;

  private final Supplier<TlsMaterial> installed;
  // The last generations chosen, newest first; replaced as a whole (copy on write, rarely).
  private volatile TlsMaterial[] recent = new TlsMaterial[0];

  LiveKeyManager(Supplier<TlsMaterial> installed) {
    this.installed = installed;
  }

  private String alias(String keyType) {
    TlsMaterial material = installed.get();
    if (material == null || keyType == null || !keyTypeMatches(keyType, material)) {
      return null;
    }
    TlsMaterial[] r = recent;
    if (r.length == 0 || r[0] != material) {
      remember(material);
    }
    return material.alias();
  }

  private String alias(String[] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = alias(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  private synchronized void remember(TlsMaterial material) {
    TlsMaterial[] r = recent;
    if (r.length > 0 && r[0] == material) {
      return;
    }
    TlsMaterial[] next = new TlsMaterial[Math.min(KEPT, r.length + 1)];
    next[0] = material;
    int n = 1;
    for (int i = 0; i < r.length && n < next.length; i++) {
      if (r[i] != material) {
        next[n++] = r[i];
      }
    }
    recent = n == next.length ? next : Arrays.copyOf(next, n);
  }

  private TlsMaterial lookup(String alias) {
    if (alias == null) {
      return null;
    }
    for (TlsMaterial material : recent) {
      if (material.alias().equals(alias)) {
        return material;
      }
    }
    return null;
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
    String actual = material.keyAlgorithm();
    boolean algorithmMatches =
        keyAlgorithm.equals(actual)
            || (keyAlgorithm.equals("EdDSA")
                && (actual.equals("Ed25519") || actual.equals("Ed448")))
            || (actual.equals("EdDSA")
                && (keyAlgorithm.equals("Ed25519") || keyAlgorithm.equals("Ed448")));
    if (!algorithmMatches) {
      return false;
    }
    return signedWith == null || material.certificateSignatureAlgorithm().contains(signedWith);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = alias(keyType);
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
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsMaterial material = lookup(alias);
    return material == null ? null : material.chainArray();
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
