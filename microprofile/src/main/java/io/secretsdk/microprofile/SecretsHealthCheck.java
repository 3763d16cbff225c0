package io.secretsdk.microprofile;

import io.secretsdk.SecretStoreHealth;
import io.secretsdk.SecretViewHealth;
import io.secretsdk.SourceHealth;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The MicroProfile Health readiness check {@code secretsdk} for the store behind the config source,
 * added as a {@code @Readiness} bean by {@link SecretsExtension} (Weld and other full CDI
 * containers) or {@link SecretsBuildCompatibleExtension} (Quarkus) when the MicroProfile Health API
 * is on the class path. Its data, never values:
 *
 * <ul>
 *   <li>{@code status} ({@code UP}, {@code DEGRADED} or {@code DOWN}), {@code revision}, {@code
 *       keys}, {@code snapshotAgeSeconds} (how long ago the current values were published);
 *   <li>{@code lastError} while a source is failing, and one entry per source ({@code
 *       mount:/etc/secrets/db}) with its status and error;
 *   <li>{@code json.<n>} for each {@code [json=expand]} secret served from its last good document;
 *   <li>one entry per typed view registered with the store ({@code view:tls.crt,tls.key,ca.crt} for
 *       a {@code TlsView}, named after the names it reads) with its status and why its newest
 *       generation is not installed, and for a TLS view {@code <entry>.daysUntilExpiry}.
 * </ul>
 *
 * <p>A closed store is {@code DOWN}, and so is a store with a view that never had a usable value. A
 * {@code DEGRADED} store (a source failing or a view refusing a generation while the last good
 * values are still served, or an optional mount not there yet) is reported {@code UP} by default,
 * so a bad rotation does not take every pod out of the load balancer at once; set {@code
 * secretsdk.health.readiness.degraded=down} (any config source) to report it {@code DOWN}.
 * Thread-safe.
 */
final class SecretsHealthCheck implements HealthCheck {

  static final String NAME = "secretsdk";
  static final String DEGRADED_KEY = "secretsdk.health.readiness.degraded";

  private final SecretsConfigSource source;
  private final boolean degradedIsDown;
  private final Clock clock;

  SecretsHealthCheck(SecretsConfigSource source, boolean degradedIsDown, Clock clock) {
    this.source = Objects.requireNonNull(source, "source");
    this.degradedIsDown = degradedIsDown;
    this.clock = clock;
  }

  /**
   * The check for {@code source}, with the policy for {@code DEGRADED} read from {@code config}.
   *
   * @throws IllegalArgumentException naming the key when its value is neither {@code up} nor {@code
   *     down}
   */
  static SecretsHealthCheck of(SecretsConfigSource source, Config config) {
    String policy =
        config
            .getOptionalValue(DEGRADED_KEY, String.class)
            .orElse("up")
            .trim()
            .toLowerCase(Locale.ROOT);
    if (!policy.equals("up") && !policy.equals("down")) {
      throw new IllegalArgumentException(DEGRADED_KEY + " must be up or down: " + policy);
    }
    return new SecretsHealthCheck(source, policy.equals("down"), Clock.systemUTC());
  }

  @Override
  public HealthCheckResponse call() {
    SecretStoreHealth health = source.store().health();
    List<String> problems = source.problems();
    Instant now = clock.instant();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(NAME)
            .withData("status", health.status().name())
            .withData("revision", health.revision())
            .withData("keys", health.keyCount())
            .withData("snapshotAgeSeconds", health.snapshotAge(now).toSeconds());
    health.lastError().ifPresent(error -> response.withData("lastError", error));
    for (SourceHealth sourceHealth : health.sources()) {
      response.withData(
          sourceHealth.source(),
          sourceHealth.status().name()
              + sourceHealth.lastError().map(error -> ": " + error).orElse(""));
    }
    for (SecretViewHealth view : health.views()) {
      String entry = "view:" + String.join(",", view.names());
      response.withData(
          entry, view.status().name() + view.lastError().map(error -> ": " + error).orElse(""));
      view.daysUntilExpiry().ifPresent(days -> response.withData(entry + ".daysUntilExpiry", days));
    }
    for (int i = 0; i < problems.size(); i++) {
      response.withData("json." + i, problems.get(i));
    }
    boolean up =
        switch (health.status()) {
          case UP -> true;
          case DEGRADED -> !degradedIsDown;
          case DOWN -> false;
        };
    return response.status(up).build();
  }

  @Override
  public String toString() {
    return "SecretsHealthCheck["
        + source.getName()
        + ", degraded="
        + (degradedIsDown ? "down" : "up")
        + "]";
  }
}
