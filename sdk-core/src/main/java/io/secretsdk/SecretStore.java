package io.secretsdk;

import java.util.Optional;

/**
 * Secrets read from mounted volumes and the environment, kept current while the process runs.
 *
 * <pre>{@code
 * SecretStore store = SecretStore.builder()
 *     .mount(Path.of("/etc/secrets/db"))
 *     .mount(Path.of("/etc/secrets/api"), "api.")
 *     .environment()
 *     .build();
 * SecretSnapshot snap = store.snapshot();          // one consistent generation
 * String user = snap.get("username").orElseThrow().asString();
 * String pass = snap.get("password").orElseThrow().asString();
 * }</pre>
 *
 * <p>Sources are consulted in the order they were added to the builder; the first that has a name
 * wins. Every mounted Kubernetes volume is read as one generation through its {@code ..data} link
 * and published with one atomic swap, so readers never see a mix of old and new values.
 *
 * <p>Implementations are thread-safe. Reads ({@link #get}, {@link #require}, {@link #snapshot})
 * never block and never touch the disk.
 */
public interface SecretStore extends AutoCloseable {

  /** A builder for a store; nothing is read and no thread starts until {@code build()}. */
  static SecretStoreBuilder builder() {
    return new SecretStoreBuilder();
  }

  /** The secret with this name in the current snapshot. */
  Optional<Secret> get(String name);

  /**
   * The secret with this name in the current snapshot.
   *
   * @throws SecretNotFoundException naming the key and the sources searched
   */
  Secret require(String name);

  /**
   * The current snapshot. Read related values (a username and its password) from one snapshot to
   * see them from the same generation.
   */
  SecretSnapshot snapshot();

  /**
   * Registers a listener for published changes. Events are delivered asynchronously, one at a time,
   * in publication order.
   */
  Subscription subscribe(SecretListener listener);

  /**
   * Re-reads every source now, on the calling thread, and publishes the result if it changed.
   * Sources that fail keep their last good values.
   *
   * @return the snapshot current after the refresh
   * @throws SecretReadException if a source failed; the message names it and the problem
   * @throws IllegalStateException if the store is closed
   */
  SecretSnapshot refresh();

  /**
   * The store's state and counters, including the health of every {@link SecretView} registered
   * with it ({@link #registerView}); never values.
   */
  SecretStoreHealth health();

  /**
   * Includes {@code view}'s health in {@link #health()} until the returned registration is closed:
   * the store's status becomes {@code DEGRADED} while the view refuses the newest generation or
   * serves an expired certificate, and {@code DOWN} while it has never had a usable value, so a
   * readiness probe built on the store's health sees a TLS view serving stale material. {@link
   * TlsView} and {@link CredentialPairView} register themselves when built and unregister in {@code
   * close()}; call this only for a view of your own. The store keeps a reference to the view until
   * the registration is closed.
   *
   * <p>The default implementation registers nothing and returns a registration that does nothing: a
   * store that wraps another should forward this call to it. Thread-safe.
   *
   * @return the registration; closing it removes the view from {@link #health()}, idempotently
   */
  default Subscription registerView(SecretView<?> view) {
    java.util.Objects.requireNonNull(view, "view");
    return () -> {};
  }

  /**
   * Stops watching and polling, releases watch registrations and ends the store's threads.
   * Idempotent. The last snapshot stays readable.
   */
  @Override
  void close();
}
