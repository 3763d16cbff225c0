package io.secretsdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of a store and the counters a metrics layer reads. Holds no values.
 *
 * @param status the worst status of the store and its sources
 * @param revision the current snapshot's revision
 * @param keyCount how many names the current snapshot has
 * @param loadedAt when the current snapshot was published
 * @param refreshes how many refreshes ran (initial read, events, polls and {@code refresh()})
 * @param failures how many of them failed in at least one source
 * @param lastRefreshDuration how long the last refresh took
 * @param totalRefreshDuration how long all refreshes took together (with {@code refreshes}, what a
 *     metrics timer needs)
 * @param lastError the most recent failure's message, while any source is failing
 * @param sources one entry per source, in lookup order
 */
public record SecretStoreHealth(
    Status status,
    long revision,
    int keyCount,
    Instant loadedAt,
    long refreshes,
    long failures,
    Duration lastRefreshDuration,
    Duration totalRefreshDuration,
    Optional<String> lastError,
    List<SourceHealth> sources) {

  /** Checks that no component is null and copies the sources. */
  public SecretStoreHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(loadedAt, "loadedAt");
    Objects.requireNonNull(lastRefreshDuration, "lastRefreshDuration");
    Objects.requireNonNull(totalRefreshDuration, "totalRefreshDuration");
    Objects.requireNonNull(lastError, "lastError");
    sources = List.copyOf(sources);
  }

  /** How old the current snapshot is at {@code now}. */
  public Duration snapshotAge(Instant now) {
    Duration age = Duration.between(loadedAt, now);
    return age.isNegative() ? Duration.ZERO : age;
  }

  /** Health of a store or one of its sources. */
  public enum Status {
    /** Every source read successfully on its last refresh. */
    UP,
    /** Some source failed or is missing; the last good values are still served. */
    DEGRADED,
    /** The store is closed. */
    DOWN
  }
}
