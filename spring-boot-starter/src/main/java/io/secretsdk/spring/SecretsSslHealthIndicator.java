package io.secretsdk.spring;

import io.secretsdk.SecretStoreHealth;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code secretsSsl} health indicator: per SSL bundle served from a volume, the location, the
 * store revision installed, the leaf certificate's serial, subject, expiry and days left, the error
 * of the latest generation when it was refused, and the health of the bundle's {@code TlsView}
 * bean. Never key material.
 *
 * <p>{@code UP} when every bundle serves its latest generation; {@code DEGRADED} when the latest
 * generation of some bundle was refused (the previous certificate is still served) or its volume
 * cannot be read; {@code DOWN} when a bundle's store was closed. Thread-safe.
 */
final class SecretsSslHealthIndicator implements HealthIndicator {

  private final SecretsSslBundleRegistrar registrar;
  private final Clock clock;

  SecretsSslHealthIndicator(SecretsSslBundleRegistrar registrar, Clock clock) {
    this.registrar = registrar;
    this.clock = clock;
  }

  @Override
  public Health health() {
    Status status = Status.UP;
    Map<String, Object> details = new LinkedHashMap<>();
    Instant now = clock.instant();
    for (SecretsSslBundle bundle : registrar.bundles()) {
      SecretsSslBundle.State state = bundle.state();
      if (state == null) {
        continue;
      }
      SecretStoreHealth store = bundle.storeHealth();
      Status bundleStatus = Status.UP;
      if (store.status() == SecretStoreHealth.Status.DOWN) {
        bundleStatus = Status.DOWN;
      } else if (state.lastError() != null || store.status() == SecretStoreHealth.Status.DEGRADED) {
        bundleStatus = SecretsHealthIndicator.DEGRADED;
      }
      if (rank(bundleStatus) > rank(status)) {
        status = bundleStatus;
      }
      X509Certificate leaf = state.installed().leaf();
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("status", bundleStatus.getCode());
      map.put("location", bundle.location().toString());
      map.put("revision", state.installed().revision());
      map.put("serialNumber", leaf.getSerialNumber().toString(16));
      map.put("subject", leaf.getSubjectX500Principal().getName());
      map.put("notAfter", leaf.getNotAfter().toInstant().toString());
      map.put("daysUntilExpiry", Duration.between(now, leaf.getNotAfter().toInstant()).toDays());
      map.put("updates", state.updates());
      map.put("rejected", state.rejected());
      map.put("lastChange", state.lastChange().toString());
      state.error().ifPresent(error -> map.put("lastError", error));
      store.lastError().ifPresent(error -> map.put("volumeError", error));
      if (!store.views().isEmpty()) {
        // The bundle's TlsView bean, which reads the same volume.
        map.put("views", store.views().stream().map(SecretsHealthIndicator::describe).toList());
      }
      details.put(bundle.name(), map);
    }
    return Health.status(status).withDetails(details).build();
  }

  private static int rank(Status status) {
    if (Status.DOWN.equals(status)) {
      return 2;
    }
    return SecretsHealthIndicator.DEGRADED.equals(status) ? 1 : 0;
  }
}
