package io.secretsdk.spring;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.SecretViewHealth;
import io.secretsdk.SourceHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code secrets} health indicator: one detail entry per imported location with its state,
 * revision, key count, load time, refresh counters, per source watch mode, last refresh and last
 * error, and per typed view registered with the store (a {@code CredentialPairView} bean, say) its
 * status, problem and counters. Never values.
 *
 * <p>{@code UP} when every source read successfully; {@value #DEGRADED_CODE} when a source failed
 * or an optional directory is missing (the last good values are still served; add {@code DEGRADED}
 * to {@code management.endpoint.health.status.order} to let it count in the aggregate); {@code
 * DOWN} when a store was closed. Thread-safe.
 */
final class SecretsHealthIndicator implements HealthIndicator {

  static final String DEGRADED_CODE = "DEGRADED";
  static final Status DEGRADED =
      new Status(
          DEGRADED_CODE, "a secrets source failed or is missing; last good values are served");

  private final SecretsImports imports;

  SecretsHealthIndicator(SecretsImports imports) {
    this.imports = imports;
  }

  @Override
  public Health health() {
    SecretStoreHealth.Status worst = SecretStoreHealth.Status.UP;
    Map<String, Object> details = new LinkedHashMap<>();
    for (Map.Entry<String, SecretStore> entry : imports.stores().entrySet()) {
      SecretStoreHealth health = entry.getValue().health();
      if (health.status().compareTo(worst) > 0) {
        worst = health.status();
      }
      details.put(entry.getKey(), describe(health));
    }
    Status status =
        switch (worst) {
          case UP -> Status.UP;
          case DEGRADED -> DEGRADED;
          case DOWN -> Status.DOWN;
        };
    return Health.status(status).withDetails(details).build();
  }

  private static Map<String, Object> describe(SecretStoreHealth health) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("status", health.status().name());
    map.put("revision", health.revision());
    map.put("keyCount", health.keyCount());
    map.put("loadedAt", health.loadedAt().toString());
    map.put("refreshes", health.refreshes());
    map.put("failures", health.failures());
    map.put("lastRefreshDurationMillis", health.lastRefreshDuration().toMillis());
    health.lastError().ifPresent(error -> map.put("lastError", error));
    List<Map<String, Object>> sources = new ArrayList<>();
    for (SourceHealth source : health.sources()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("source", source.source());
      s.put("status", source.status().name());
      s.put("watchMode", source.watchMode().name());
      s.put("revision", source.revision());
      s.put("keyCount", source.keyCount());
      source.lastRefresh().ifPresent(at -> s.put("lastRefresh", at.toString()));
      source.lastSuccess().ifPresent(at -> s.put("lastSuccess", at.toString()));
      source.lastError().ifPresent(error -> s.put("lastError", error));
      s.put("consecutiveFailures", source.consecutiveFailures());
      sources.add(s);
    }
    map.put("sources", sources);
    if (!health.views().isEmpty()) {
      map.put("views", health.views().stream().map(SecretsHealthIndicator::describe).toList());
    }
    return map;
  }

  /**
   * One typed view registered with a store ({@code TlsView}, {@code CredentialPairView}): the names
   * it reads, its status and problem, its counters and, for TLS, the served certificate's expiry.
   * Never values.
   */
  static Map<String, Object> describe(SecretViewHealth view) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("names", view.names());
    map.put("status", view.status().name());
    view.lastError().ifPresent(error -> map.put("lastError", error));
    view.installedAt().ifPresent(at -> map.put("installedAt", at.toString()));
    map.put("installs", view.installs());
    map.put("rejections", view.rejections());
    view.expiresAt().ifPresent(at -> map.put("expiresAt", at.toString()));
    view.daysUntilExpiry().ifPresent(days -> map.put("daysUntilExpiry", days));
    return map;
  }
}
