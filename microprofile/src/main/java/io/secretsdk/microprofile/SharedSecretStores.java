package io.secretsdk.microprofile;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One store, and one config source over it, per distinct {@link SecretsConfiguration} in this class
 * loader. MicroProfile implementations call a {@code ConfigSourceProvider} every time they build a
 * {@code Config} (once per class loader, again after {@code releaseConfig}, once per test that
 * builds its own): sharing the store means one set of watch registrations and threads, however
 * often that happens.
 *
 * <p>Stores end in one of two ways: the CDI container that used them shuts down ({@link
 * SecretsExtension}, so a redeployed application leaves no watcher thread pinning its old class
 * loader), or the JVM exits (a shutdown hook, registered with the first store). A closed store
 * leaves the registry, so the next provider call starts a fresh one. When the last store is
 * released the shutdown hook is removed again, so nothing keeps an undeployed application's class
 * loader reachable. Thread-safe.
 */
final class SharedSecretStores {

  private static final System.Logger LOG = System.getLogger(SharedSecretStores.class.getName());
  private static final Map<SecretsConfiguration, SecretsConfigSource> SOURCES =
      new ConcurrentHashMap<>();
  private static final Object HOOK_LOCK = new Object();
  private static Thread hook;

  private SharedSecretStores() {}

  /**
   * The source for {@code configuration}, building and starting its store on first use.
   *
   * @throws io.secretsdk.SecretReadException if a required mount cannot be read
   */
  static SecretsConfigSource sourceFor(SecretsConfiguration configuration) {
    SecretsConfigSource shared =
        SOURCES.computeIfAbsent(
            configuration,
            c -> {
              PropertyExpansion expansion = c.expansion();
              SecretsConfigSource source =
                  new SecretsConfigSource(c.buildStore(), c.ordinal(), expansion);
              LOG.log(Level.DEBUG, () -> "secretsdk: started " + source.getName() + " for " + c);
              return source;
            });
    // After the source is in the map, so a concurrent release of the last other store cannot
    // remove the hook this store needs.
    registerShutdownHook();
    return shared;
  }

  /**
   * Whether the registry owns {@code source} (it came from the provider, not from {@code
   * of(store)}).
   */
  static boolean owns(SecretsConfigSource source) {
    return SOURCES.containsValue(source);
  }

  /** Closes the store of {@code source} and forgets it, if the registry owns it. */
  static void release(SecretsConfigSource source) {
    if (SOURCES.values().remove(source)) {
      source.store().close();
      if (SOURCES.isEmpty()) {
        removeShutdownHook();
      }
    }
  }

  /** Closes every store the registry owns. */
  static void closeAll() {
    List<SecretsConfigSource> all = new ArrayList<>(SOURCES.values());
    for (SecretsConfigSource source : all) {
      release(source);
    }
  }

  private static void registerShutdownHook() {
    synchronized (HOOK_LOCK) {
      if (hook != null) {
        return;
      }
      Thread thread = new Thread(SharedSecretStores::closeAll, "secretsdk-shutdown");
      thread.setDaemon(true);
      try {
        Runtime.getRuntime().addShutdownHook(thread);
        hook = thread;
      } catch (IllegalStateException | SecurityException e) {
        LOG.log(
            Level.DEBUG,
            () -> "secretsdk: no shutdown hook (" + e.getClass().getSimpleName() + ")");
      }
    }
  }

  private static void removeShutdownHook() {
    synchronized (HOOK_LOCK) {
      if (hook == null || !SOURCES.isEmpty()) {
        return;
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | SecurityException e) {
        // The JVM is already shutting down, and the hook is what is releasing us.
      }
      hook = null;
    }
  }

  /** Whether a shutdown hook is registered (for tests). */
  static boolean shutdownHookRegistered() {
    synchronized (HOOK_LOCK) {
      return hook != null;
    }
  }
}
