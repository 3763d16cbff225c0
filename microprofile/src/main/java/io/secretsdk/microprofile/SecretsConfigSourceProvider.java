package io.secretsdk.microprofile;

import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSourceProvider;

/**
 * Registers a {@link SecretsConfigSource} with every MicroProfile Config implementation through
 * {@code META-INF/services/org.eclipse.microprofile.config.spi.ConfigSourceProvider}, configured
 * without any config file: system property {@code secretsdk.mounts} or environment variable {@code
 * SECRETSDK_MOUNTS} lists the directories ({@code path}, {@code path=prefix} or {@code
 * optional:path}, comma-separated); {@code secretsdk.ordinal} / {@code SECRETSDK_ORDINAL} sets the
 * ordinal (default {@value SecretsConfigSource#DEFAULT_ORDINAL}); {@code
 * secretsdk.trim-trailing-newline} (default {@code true}) and {@code secretsdk.max-secret-bytes}
 * tune reading.
 *
 * <p>Those settings written in {@code META-INF/microprofile-config.properties} (or Quarkus's {@code
 * application.properties}) cannot be read by a config source: a warning, once per file, says so.
 *
 * <p>When neither {@code secretsdk.mounts} nor {@code SECRETSDK_MOUNTS} is set it registers nothing
 * and starts no thread. Calls with the same configuration return the same source over the same
 * store, so building many {@code Config} instances never adds watchers. Thread-safe.
 */
public final class SecretsConfigSourceProvider implements ConfigSourceProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public SecretsConfigSourceProvider() {}

  /**
   * The secretsdk source for the current system properties and environment, or nothing when no
   * mounts are configured.
   *
   * @throws IllegalArgumentException if a {@code secretsdk.*} setting is malformed
   * @throws io.secretsdk.SecretReadException if a required mount cannot be read
   */
  @Override
  public Iterable<ConfigSource> getConfigSources(ClassLoader forClassLoader) {
    MisplacedSettings.warnIfFound(forClassLoader);
    SecretsConfiguration configuration = SecretsConfiguration.fromSystem();
    if (configuration == null) {
      return List.of();
    }
    return List.of(SharedSecretStores.sourceFor(configuration));
  }
}
