package io.secretsdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link SecretView}s registered with a store ({@link SecretStore#registerView}), whose health
 * the store's {@link SecretStore#health()} includes. A view stays here until its registration is
 * closed (its own {@code close()} does that). Thread-safe: registration, removal and reading health
 * may happen on any threads at once.
 */
final class RegisteredViews {

  private static final System.Logger LOG = System.getLogger(SecretView.class.getName());

  private final List<SecretView<?>> views = new CopyOnWriteArrayList<>();

  /** Adds {@code view}; closing the returned registration removes it. Idempotent close. */
  Subscription register(SecretView<?> view) {
    views.add(view);
    return new Subscription() {
      private boolean closed; // guarded by this

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          views.remove(view);
        }
      }
    };
  }

  /**
   * Each registered view's health, in registration order. A view whose {@code health()} throws is
   * reported {@code DEGRADED} with the exception's class (its message could quote a value).
   */
  List<SecretViewHealth> health() {
    List<SecretViewHealth> result = new ArrayList<>(views.size());
    for (SecretView<?> view : views) {
      try {
        result.add(view.health());
      } catch (RuntimeException e) {
        String problem =
            "the view "
                + view.getClass().getName()
                + " failed to report its health: "
                + e.getClass().getName();
        LOG.log(
            System.Logger.Level.WARNING, problem + " (message not logged: it could quote a value)");
        result.add(
            new SecretViewHealth(
                SecretStoreHealth.Status.DEGRADED,
                List.of(),
                Optional.of(problem),
                Optional.empty(),
                0,
                0,
                Optional.empty(),
                OptionalLong.empty()));
      }
    }
    return result;
  }
}
