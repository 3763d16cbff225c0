package io.secretsdk.spring;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.SourceHealth;
import java.util.stream.Collectors;

/**
 * The INFO line that confirms an import: its location, directory, key count and watch mode, never a
 * value or a name. Written once per imported location, when the application context is being
 * prepared (Spring Boot's logging is set up by then; the config-data stage runs before it).
 * Stateless and thread-safe.
 */
final class SecretsImportLog {

  private static final System.Logger LOG = System.getLogger(SecretsImportLog.class.getName());

  private SecretsImportLog() {}

  /** Logs one line for the store imported from {@code location}. */
  static void imported(String location, SecretStore store) {
    LOG.log(System.Logger.Level.INFO, () -> describe(location, store.health()));
  }

  static String describe(String location, SecretStoreHealth health) {
    String sources =
        health.sources().stream()
            .map(source -> source.source() + " (" + watchMode(source) + ")")
            .collect(Collectors.joining(", "));
    return "imported "
        + location
        + ": "
        + health.keyCount()
        + (health.keyCount() == 1 ? " key" : " keys")
        + " from "
        + sources
        + ", revision "
        + health.revision()
        + ", status "
        + health.status();
  }

  private static String watchMode(SourceHealth source) {
    return "watch mode " + source.watchMode();
  }
}
