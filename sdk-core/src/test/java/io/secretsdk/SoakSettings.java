package io.secretsdk;

import java.time.Duration;

/**
 * How long the race and soak tests run. Short by default so the normal suite stays fast; set {@code
 * -Dsecretsdk.soak.seconds=N} (for example 300) to run every {@code @Tag("soak")} test for N
 * seconds.
 */
final class SoakSettings {

  static final String PROPERTY = "secretsdk.soak.seconds";

  private SoakSettings() {}

  /** The run time of one race or soak test: the property, or {@code defaultSeconds}. */
  static Duration duration(int defaultSeconds) {
    return Duration.ofSeconds(Long.getLong(PROPERTY, defaultSeconds));
  }
}
