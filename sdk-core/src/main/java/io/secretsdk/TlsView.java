package io.secretsdk;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS material of a {@code kubernetes.io/tls} Secret (as cert-manager writes it), live: a
 * certificate chain, its private key and an optional CA bundle, read from one snapshot of a {@link
 * SecretStore}, and an {@link SSLContext} that serves the newest good generation.
 *
 * <pre>{@code
 * SecretStore store = SecretStore.builder().mount(Path.of("/etc/tls")).build();
 * TlsView tls = TlsView.of(store);                 // tls.crt, tls.key, optional ca.crt
 * SSLServerSocket server = (SSLServerSocket)
 *     tls.sslContext().getServerSocketFactory().createServerSocket(8443);
 * tls.subscribe((old, now) -> log.info("serving certificate {}", now.serialNumber()));
 * }</pre>
 *
 * <p>New handshakes present the new certificate as soon as the store has published its generation;
 * connections already open keep theirs. A generation is installed only when its chain parses, its
 * key (PKCS#8, PKCS#1 RSA or SEC1 EC; RSA, EC, Ed25519 and Ed448; not encrypted) belongs to the
 * first certificate, its CA bundle (if any) parses, and the first certificate is within its
 * validity period. Otherwise the last good material stays and {@link #health()} is {@code DEGRADED}
 * with a message naming the file. A generation refused only because it is not valid yet is
 * installed at the first read or handshake after its {@code notBefore}. The view registers with its
 * store when built, so the store's {@link SecretStore#health()} includes this view's status and
 * expiry (a readiness probe on the store sees stale TLS material) until {@link #close()}.
 *
 * <p>The trust manager checks peers against the installed generation's CA bundle, or against the
 * JDK's default trust store when the generation has none. A client that resumes a TLS session
 * established before a rotation keeps that session; only full handshakes see the new certificate.
 *
 * <p>Thread-safe. The builder is not.
 */
public final class TlsView implements SecretView<TlsMaterial> {

  /** The certificate chain's name in a {@code kubernetes.io/tls} Secret. */
  public static final String DEFAULT_CERTIFICATE = "tls.crt";

  /** The private key's name in a {@code kubernetes.io/tls} Secret. */
  public static final String DEFAULT_PRIVATE_KEY = "tls.key";

  /** The CA bundle's name that cert-manager adds to a {@code kubernetes.io/tls} Secret. */
  public static final String DEFAULT_CA_CERTIFICATES = "ca.crt";

  private final ParsedView<TlsMaterial> view;
  private final Clock clock;
  private final LiveKeyManager keyManager;
  private final LiveTrustManager trustManager;
  private SSLContext sslContext; // guarded by "this"

  private TlsView(SecretStore store, List<String> names, Clock clock) {
    this.clock = clock;
    this.view =
        new ParsedView<>(
            store,
            names,
            "TLS view " + names,
            inputs -> TlsMaterialReader.read(inputs.get(0), inputs.get(1), inputs.get(2), names),
            (material, now) -> TlsMaterialReader.validityProblem(material, now, names.get(0)),
            clock);
    this.keyManager = new LiveKeyManager(view::installed);
    this.trustManager = new LiveTrustManager(view::installed);
  }

  /**
   * A view of {@code tls.crt}, {@code tls.key} and the optional {@code ca.crt} of {@code store}.
   */
  public static TlsView of(SecretStore store) {
    return builder(store).build();
  }

  /** A builder for a view with other names, a name prefix or a clock. */
  public static Builder builder(SecretStore store) {
    return new Builder(store);
  }

  /**
   * The installed material.
   *
   * @throws SecretException naming the files and the problem when no generation has passed yet
   */
  @Override
  public TlsMaterial current() {
    ParsedView.State<TlsMaterial> state = view.resolve();
    if (state.installed() == null) {
      throw new SecretException(
          view.description() + " has no usable TLS material: " + state.problem());
    }
    return state.installed();
  }

  /**
   * {@code UP}, {@code DEGRADED} (newest generation refused, or the served certificate expired) or
   * {@code DOWN} (nothing installed yet), with the served leaf's expiry and the days left.
   */
  @Override
  public SecretViewHealth health() {
    ParsedView.State<TlsMaterial> state = view.resolve();
    TlsMaterial installed = state.installed();
    Instant now = clock.instant();
    SecretStoreHealth.Status status;
    String error = state.problem();
    if (installed == null) {
      status = SecretStoreHealth.Status.DOWN;
    } else if (error != null) {
      status = SecretStoreHealth.Status.DEGRADED;
    } else if (now.isAfter(installed.notAfter())) {
      status = SecretStoreHealth.Status.DEGRADED;
      error =
          TlsMaterialReader.describe(state.installedInputs().get(0))
              + ": the certificate being served (serial "
              + installed.serialNumber().toString(16)
              + ") expired at "
              + installed.notAfter()
              + " and no renewed one was delivered";
    } else {
      status = SecretStoreHealth.Status.UP;
    }
    return new SecretViewHealth(
        status,
        view.names(),
        Optional.ofNullable(error),
        Optional.ofNullable(state.installedAt()),
        state.installs(),
        state.rejections(),
        installed == null ? Optional.empty() : Optional.of(installed.notAfter()),
        installed == null
            ? OptionalLong.empty()
            : OptionalLong.of(
                Math.floorDiv(Duration.between(now, installed.notAfter()).getSeconds(), 86_400L)));
  }

  @Override
  public Subscription subscribe(SecretViewListener<? super TlsMaterial> listener) {
    return view.subscribe(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * A {@code TLS} context from the JDK's default provider whose key and trust managers are this
   * view's: servers and clients made from it (socket factories, {@code SSLEngine}s) follow every
   * rotation. The same instance on every call.
   */
  public synchronized SSLContext sslContext() {
    if (sslContext == null) {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
        sslContext = context;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK cannot create a TLS context", e);
      }
    }
    return sslContext;
  }

  /**
   * The key manager behind {@link #sslContext()}, for frameworks that build their own context. It
   * offers the installed generation's chain and key; chain and key of one handshake always come
   * from the same generation.
   */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * The trust manager behind {@link #sslContext()}: the installed generation's CA bundle, or the
   * JDK's default trust store when it has none.
   */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /**
   * Stops listener delivery and removes the view from the store's {@code health()}. The context
   * keeps following the store (pulling the current snapshot at each handshake). Idempotent.
   */
  @Override
  public void close() {
    view.close();
  }

  /** How many times the material was parsed: once per distinct content. */
  long parses() {
    return view.parses();
  }

  /** The names the view reads; never values. */
  @Override
  public String toString() {
    return "TlsView" + view.names();
  }

  /** Configures a {@link TlsView}. Not thread-safe; options are checked when set. */
  public static final class Builder {

    private final SecretStore store;
    private String prefix = "";
    private String certificate = DEFAULT_CERTIFICATE;
    private String privateKey = DEFAULT_PRIVATE_KEY;
    private String caCertificates = DEFAULT_CA_CERTIFICATES;
    private Clock clock = Clock.systemUTC();

    private Builder(SecretStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The prefix the mount was added with ({@code mount(dir, "api.")}), put in front of every name.
     * Default: none.
     */
    public Builder prefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** The certificate chain's name, leaf first. Default {@code tls.crt}. */
    public Builder certificate(String name) {
      this.certificate = checkName(name);
      return this;
    }

    /** The private key's name. Default {@code tls.key}. */
    public Builder privateKey(String name) {
      this.privateKey = checkName(name);
      return this;
    }

    /** The optional CA bundle's name. Default {@code ca.crt}. */
    public Builder caCertificates(String name) {
      this.caCertificates = checkName(name);
      return this;
    }

    /**
     * The clock validity periods and days until expiry are computed with. Default UTC system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    private static String checkName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name cannot be blank: '" + name + "'");
      }
      return name;
    }

    /**
     * The view, registered with the store ({@link SecretStore#registerView}) so the store's {@code
     * health()} includes it until {@link TlsView#close()}. The current generation is parsed now;
     * later ones as soon as the store publishes them.
     */
    public TlsView build() {
      List<String> names = new ArrayList<>();
      names.add(prefix + certificate);
      names.add(prefix + privateKey);
      names.add(prefix + caCertificates);
      if (names.stream().distinct().count() != 3) {
        throw new IllegalStateException(
            "certificate, private key and CA bundle need three different names: " + names);
      }
      TlsView view = new TlsView(store, names, clock);
      view.view.open(view);
      return view;
    }
  }
}
