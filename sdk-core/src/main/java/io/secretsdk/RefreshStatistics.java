package io.secretsdk;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store's refresh counters, and the aggregation of them with its sources' state into one
 * {@link SecretStoreHealth}: DOWN once closed, DEGRADED while any source fails, UP otherwise.
 * Thread-safe (counters are atomic; health is a best-effort view across them).
 */
final class RefreshStatistics {

  private final AtomicLong refreshes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong totalNanos = new AtomicLong();
  private volatile long lastNanos;

  /** Counts a refresh that started. */
  void started() {
    refreshes.incrementAndGet();
  }

  /** Counts a refresh with at least one failed source. */
  void failed() {
    failures.incrementAndGet();
  }

  /** Records how long a refresh took. */
  void took(long nanos) {
    lastNanos = nanos;
    totalNanos.addAndGet(nanos);
  }

  SecretStoreHealth health(boolean closed, SecretSnapshot snapshot, List<SourceState> sources) {
    List<SourceHealth> perSource = sources.stream().map(SourceState::health).toList();
    SecretStoreHealth.Status status;
    if (closed) {
      status = SecretStoreHealth.Status.DOWN;
    } else if (perSource.stream().anyMatch(s -> s.status() != SecretStoreHealth.Status.UP)) {
      status = SecretStoreHealth.Status.DEGRADED;
    } else {
      status = SecretStoreHealth.Status.UP;
    }
    String error = sources.stream().map(SourceState::lastError).filter(Objects::nonNull).findFirst().orElse(null);
    return new SecretStoreHealth(
        status,
        snapshot.revision(),
        snapshot.size(),
        snapshot.loadedAt(),
        refreshes.get(),
        failures.get(),
        Duration.ofNanos(lastNanos),
        Duration.ofNanos(totalNanos.get()),
        Optional.ofNullable(error),
        perSource);
  }
}
