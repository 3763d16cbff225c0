package io.secretsdk;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * A store's refresh counters, and the aggregation of them with its sources' state and its
 * registered views' health into one {@link SecretStoreHealth}: DOWN once closed or while a
 * registered view has never had a usable value, DEGRADED while any source fails or a view serves
 * stale material, UP otherwise. Thread-safe (counters are atomic; health is a best-effort view
 * across them).
 */
final class RefreshStatistics {

  // Field updaters rather than three AtomicLong objects: every store has one of these.
  private static final AtomicLongFieldUpdater<RefreshStatistics> REFRESHES =
      AtomicLongFieldUpdater.newUpdater(RefreshStatistics.class, "refreshes");
  private static final AtomicLongFieldUpdater<RefreshStatistics> FAILURES =
      AtomicLongFieldUpdater.newUpdater(RefreshStatistics.class, "failures");
  private static final AtomicLongFieldUpdater<RefreshStatistics> TOTAL_NANOS =
      AtomicLongFieldUpdater.newUpdater(RefreshStatistics.class, "totalNanos");

  private volatile long refreshes;
  private volatile long failures;
  private volatile long totalNanos;
  private volatile long lastNanos;

  /** Counts a refresh that started. */
  void started() {
    REFRESHES.incrementAndGet(this);
  }

  /** Counts a refresh with at least one failed source. */
  void failed() {
    FAILURES.incrementAndGet(this);
  }

  /** Records how long a refresh took. */
  void took(long nanos) {
    lastNanos = nanos;
    TOTAL_NANOS.addAndGet(this, nanos);
  }

  SecretStoreHealth health(
      boolean closed, SecretSnapshot snapshot, List<SourceState> sources, RegisteredViews views) {
    List<SourceHealth> perSource = sources.stream().map(SourceState::health).toList();
    List<SecretViewHealth> perView = views.health();
    SecretStoreHealth.Status status;
    if (closed) {
      status = SecretStoreHealth.Status.DOWN;
    } else {
      status = SecretStoreHealth.Status.UP;
      if (perSource.stream().anyMatch(s -> s.status() != SecretStoreHealth.Status.UP)) {
        status = SecretStoreHealth.Status.DEGRADED;
      }
      for (SecretViewHealth view : perView) {
        if (view.status().compareTo(status) > 0) {
          status = view.status();
        }
      }
    }
    // A failing source explains the most (a view over it only repeats the consequence).
    String error =
        sources.stream()
            .map(SourceState::lastError)
            .filter(Objects::nonNull)
            .findFirst()
            .orElseGet(
                () ->
                    perView.stream()
                        .filter(v -> v.status() != SecretStoreHealth.Status.UP)
                        .flatMap(v -> v.lastError().stream())
                        .findFirst()
                        .orElse(null));
    return new SecretStoreHealth(
        status,
        snapshot.revision(),
        snapshot.size(),
        snapshot.loadedAt(),
        refreshes,
        failures,
        Duration.ofNanos(lastNanos),
        Duration.ofNanos(totalNanos),
        Optional.ofNullable(error),
        perSource,
        perView);
  }
}
