package io.secretsdk.microprofile;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/** Finds the secretsdk source among a {@code Config}'s sources. Stateless. */
final class SecretsSources {

  private SecretsSources() {}

  /** The first {@link SecretsConfigSource} of {@code config}, or {@code null}. */
  static SecretsConfigSource find(Config config) {
    for (ConfigSource candidate : config.getConfigSources()) {
      if (candidate instanceof SecretsConfigSource secrets) {
        return secrets;
      }
    }
    return null;
  }

  /** Whether the MicroProfile Health API can be loaded, so the readiness check can be offered. */
  static boolean healthApiPresent() {
    try {
      Class.forName(
          "org.eclipse.microprofile.health.HealthCheck",
          false,
          SecretsSources.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Whether {@code secretsdk-signer} (an optional dependency) can be loaded, so the {@code Signer}
   * bean can be offered.
   */
  static boolean signerPresent() {
    try {
      Class.forName("io.secretsdk.signer.Signer", false, SecretsSources.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
