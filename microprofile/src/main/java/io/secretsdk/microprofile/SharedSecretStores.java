package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One store, and one config source over it, per distinct {@link SecretsConfiguration} in this
 * class loader. MicroProfile implementations call a {@code ConfigSourceProvider} every time they
 * build a {@code Config} (once per class loader, again after {@code releaseConfig}, once per test
 * that builds its own): sharing the store means one set of watch registrations and threads,
 * however often that happens.
 *
 * <p>Stores end in one of two ways: the CDI container that used them shuts down ({@link
 * SecretsExtension}, so a redeployed application leaves no watcher thread pinning its old class
 * loader), or the JVM exits (a shutdown hook, registered with the first store). A closed store
 * leaves the registry, so the next provider call starts a fresh one. Thread-safe.
 */
final class SharedSecretStores {

  private static final System.Logger LOG = System.getLogger(SharedSecretStores.class.getName());
  private static final Map<SecretsConfiguration, SecretsConfigSource> SOURCES = new ConcurrentHashMap<>();
  private static final Object HOOK_LOCK = new Object();
  private static boolean hookRegistered;

  private SharedSecretStores() {}

  /**
   * The source for {@code configuration}, building and starting its store on first use.
   *
   * @throws io.secretsdk.SecretReadException if a required mount cannot be read
   */
  static SecretsConfigSource sourceFor(SecretsConfiguration configuration) {
    return SOURCES.computeIfAbsent(
        configuration,
        c -> {
          registerShutdownHook();
          SecretsConfigSource source = new SecretsConfigSource(c.buildStore(), c.ordinal());
          LOG.log(Level.DEBUG, () -> "secretsdk: started " + source.getName() + " for " + c);
          return source;
        });
  }

  /** Whether the registry owns {@code source} (it came from the provider, not from {@code of(store)}). */
  static boolean owns(SecretsConfigSource source) {
    return SOURCES.containsValue(source);
  }

  /** Closes the store of {@code source} and forgets it, if the registry owns it. */
  static void release(SecretsConfigSource source) {
    if (SOURCES.values().remove(source)) {
      source.store().close();
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
      if (hookRegistered) {
        return;
      }
      Thread hook = new Thread(SharedSecretStores::closeAll, "secretsdk-shutdown");
      hook.setDaemon(true);
      try {
        Runtime.getRuntime().addShutdownHook(hook);
        hookRegistered = true;
      } catch (IllegalStateException | SecurityException e) {
        LOG.log(Level.DEBUG, () -> "secretsdk: no shutdown hook (" + e.getClass().getSimpleName() + ")");
      }
    }
  }
}
