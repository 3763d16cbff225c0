package io.secretsdk.spring;

import io.secretsdk.SecretException;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.Subscription;
import io.secretsdk.TlsView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleRegistry;

/**
 * One SSL bundle served from a mounted TLS volume: a {@link SecretStore} over the volume, the
 * generation installed in Spring Boot's {@link SslBundleRegistry}, and what happened to the latest
 * generation. Every new generation whose files form a valid bundle is handed to {@link
 * SslBundleRegistry#updateBundle}, on the store's notification thread and with no quiet period; a
 * generation that does not is not installed, the previous bundle stays, and {@link #state()} says
 * why.
 *
 * <p>The bundle's {@code SslManagerBundle} is live ({@link LiveSslManagerBundle}): an {@code
 * SSLContext} created from any generation of the bundle follows later generations too.
 *
 * <p>Thread-safe.
 */
final class SecretsSslBundle implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(SecretsSslBundle.class.getName());

  private final String name;
  private final Path location;
  private final SecretStore store;
  private final SecretsSslBundleReader reader;
  private final Clock clock;
  private SslBundleRegistry registry;
  private Subscription subscription;
  private LiveSslManagerBundle managers;
  private volatile State state;

  private SecretsSslBundle(
      String name, Path location, SecretStore store, SecretsSslBundleReader reader, Clock clock) {
    this.name = name;
    this.location = location;
    this.store = store;
    this.reader = reader;
    this.clock = clock;
  }

  /**
   * Opens the volume and reads its first generation.
   *
   * @throws IllegalStateException naming the bundle and the file when the volume is missing or its
   *     first generation cannot be served
   */
  static SecretsSslBundle open(String name, SecretsSslProperties.Bundle properties, Clock clock) {
    if (properties.getLocation() == null) {
      throw new IllegalStateException(
          "SSL bundle '"
              + name
              + "' has no location: set secretsdk.ssl.bundle."
              + name
              + ".location");
    }
    Path location = properties.getLocation().toAbsolutePath().normalize();
    SecretStore store;
    try {
      store = SecretStore.builder().mount(location).build();
    } catch (SecretException e) {
      throw new IllegalStateException("SSL bundle '" + name + "': " + e.getMessage(), e);
    }
    return new SecretsSslBundle(
        name, location, store, new SecretsSslBundleReader(name, properties), clock);
  }

  String name() {
    return name;
  }

  Path location() {
    return location;
  }

  /** Registers the first generation with {@code registry} and follows the volume from then on. */
  void register(SslBundleRegistry target) {
    SecretsSslBundleReader.Material first;
    try {
      first = reader.read(store.snapshot(), clock.instant());
    } catch (SslMaterialException e) {
      store.close();
      throw new IllegalStateException(e.getMessage() + " (" + location + ")");
    }
    synchronized (this) {
      registry = target;
      managers = new LiveSslManagerBundle(first);
      target.registerBundle(name, bundle(first));
      state = new State(first, null, clock.instant(), 0, 0);
    }
    LOG.log(
        System.Logger.Level.INFO,
        () -> "SSL bundle '" + name + "' registered from " + location + describe(first));
    subscription =
        store.subscribe(
            event -> {
              if (reader.concerns(event.names())) {
                install(event.current());
              }
            });
    // A generation published between the first read and the subscription is not missed.
    install(store.snapshot());
  }

  private synchronized void install(SecretSnapshot snapshot) {
    State current = state;
    if (registry == null || current == null || snapshot.revision() <= current.lastSeenRevision()) {
      return;
    }
    Instant now = clock.instant();
    SecretsSslBundleReader.Material material;
    try {
      material = reader.read(snapshot, now);
    } catch (SslMaterialException e) {
      state = current.rejected(snapshot.revision(), e.getMessage(), now);
      LOG.log(
          System.Logger.Level.WARNING,
          () -> e.getMessage() + "; the previous certificate is still served");
      return;
    }
    try {
      registry.updateBundle(name, bundle(material));
    } catch (RuntimeException e) {
      String message =
          "SSL bundle '"
              + name
              + "': the update was refused by "
              + e.getClass().getName()
              + "; the previous certificate may still be served";
      state = current.rejected(snapshot.revision(), message, now);
      LOG.log(System.Logger.Level.WARNING, message);
      return;
    }
    // Clients and servers that built an SSLContext from the bundle move over with the managers.
    managers.install(material);
    state = current.installed(material, now);
    LOG.log(
        System.Logger.Level.INFO, () -> "SSL bundle '" + name + "' updated" + describe(material));
  }

  /** This generation's stores, with the live managers shared by every generation. */
  private SslBundle bundle(SecretsSslBundleReader.Material material) {
    return SslBundle.of(material.stores(), null, null, null, managers);
  }

  private static String describe(SecretsSslBundleReader.Material material) {
    return " (revision "
        + material.revision()
        + ", serial "
        + material.leaf().getSerialNumber().toString(16)
        + ", expires "
        + material.leaf().getNotAfter().toInstant()
        + ")";
  }

  /**
   * A new core {@link TlsView} over this bundle's volume and file names: the same generations the
   * bundle serves, checked and parsed by the core. The caller closes it; it keeps following the
   * volume until {@link #close()} closes the store.
   */
  TlsView tlsView() {
    return TlsView.builder(store)
        .certificate(reader.certificateName())
        .privateKey(reader.privateKeyName())
        .caCertificates(reader.caName())
        .build();
  }

  /** What is installed and what happened to the latest generation; never key material. */
  State state() {
    return state;
  }

  SecretStoreHealth storeHealth() {
    return store.health();
  }

  /** Stops following the volume. Idempotent; the installed bundle stays registered. */
  @Override
  public void close() {
    Subscription s;
    synchronized (this) {
      s = subscription;
      subscription = null;
    }
    if (s != null) {
      s.close();
    }
    store.close();
  }

  /**
   * The installed generation and the latest outcome.
   *
   * @param installed the generation served now
   * @param lastError why the latest generation was not installed, or {@code null} when it was
   * @param lastChange when a generation was last installed or refused
   * @param updates how many generations were installed after the first
   * @param rejected how many generations were refused
   * @param lastSeenRevision the store revision of the latest generation looked at
   */
  record State(
      SecretsSslBundleReader.Material installed,
      String lastError,
      Instant lastChange,
      long updates,
      long rejected,
      long lastSeenRevision) {

    State(
        SecretsSslBundleReader.Material installed,
        String lastError,
        Instant lastChange,
        long updates,
        long rejected) {
      this(installed, lastError, lastChange, updates, rejected, installed.revision());
    }

    State installed(SecretsSslBundleReader.Material material, Instant at) {
      return new State(material, null, at, updates + 1, rejected, material.revision());
    }

    State rejected(long revision, String error, Instant at) {
      return new State(installed, error, at, updates, rejected + 1, revision);
    }

    Optional<String> error() {
      return Optional.ofNullable(lastError);
    }
  }
}
