package io.secretsdk.spring;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.secretsdk.SecretStore;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for every imported store, tagged with {@code location}:
 *
 * <ul>
 *   <li>{@code secretsdk.refreshes} (counter, tag {@code outcome=success|failure}) — reads of the
 *       directory: the initial one, event- and poll-triggered ones and explicit refreshes;
 *   <li>{@code secretsdk.refresh.duration} (function timer) — count and total time of those reads,
 *       so a registry derives rates and mean durations;
 *   <li>{@code secretsdk.keys} (gauge) — names in the current snapshot;
 *   <li>{@code secretsdk.snapshot.age} (time gauge) — time since the current snapshot was
 *       published.
 * </ul>
 *
 * <p>Tags are locations and outcomes, never values. Thread-safe.
 */
final class SecretsMetrics implements MeterBinder {

  private final SecretsImports imports;
  private final Clock clock;

  SecretsMetrics(SecretsImports imports, Clock clock) {
    this.imports = imports;
    this.clock = clock;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    imports.forEachStore((location, store) -> bind(registry, location, store));
  }

  private void bind(MeterRegistry registry, String location, SecretStore store) {
    Tags tags = Tags.of("location", location);
    FunctionCounter.builder(
            "secretsdk.refreshes", store, s -> s.health().refreshes() - s.health().failures())
        .tags(tags)
        .tag("outcome", "success")
        .description("Reads of an imported secrets directory")
        .register(registry);
    FunctionCounter.builder("secretsdk.refreshes", store, s -> s.health().failures())
        .tags(tags)
        .tag("outcome", "failure")
        .description("Reads of an imported secrets directory")
        .register(registry);
    FunctionTimer.builder(
            "secretsdk.refresh.duration",
            store,
            s -> s.health().refreshes(),
            s -> s.health().totalRefreshDuration().toNanos(),
            TimeUnit.NANOSECONDS)
        .tags(tags)
        .description("Time spent reading an imported secrets directory")
        .register(registry);
    Gauge.builder("secretsdk.keys", store, s -> s.snapshot().size())
        .tags(tags)
        .description("Names served by an imported secrets directory")
        .strongReference(true)
        .register(registry);
    TimeGauge.builder(
            "secretsdk.snapshot.age",
            store,
            TimeUnit.MILLISECONDS,
            s -> s.health().snapshotAge(clock.instant()).toMillis())
        .tags(tags)
        .description(
            "Time since the current snapshot of an imported secrets directory was published")
        .strongReference(true)
        .register(registry);
  }
}
