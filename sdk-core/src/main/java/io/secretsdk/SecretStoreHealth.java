package io.secretsdk;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of a store, of its sources and of the typed views registered with it ({@link
 * SecretStore#registerView}), and the counters a metrics layer reads. Holds no values: messages
 * name files and keys only. Immutable and thread-safe.
 *
 * @param status the worst status of the store, its sources and its registered views: {@code DOWN}
 *     when the store is closed or a view has never had a usable value, {@code DEGRADED} when a
 *     source fails (or an optional mount is missing) or a view keeps serving its last good value
 *     because the newest generation was refused (or serves an expired certificate), {@code UP}
 *     otherwise
 * @param revision the current snapshot's revision
 * @param keyCount how many names the current snapshot has
 * @param loadedAt when the current snapshot was published
 * @param refreshes how many refreshes ran (initial read, events, polls and {@code refresh()})
 * @param failures how many of them failed in at least one source
 * @param lastRefreshDuration how long the last refresh took
 * @param totalRefreshDuration how long all refreshes took together (with {@code refreshes}, what a
 *     metrics timer needs)
 * @param lastError the most recent failure's message while any source is failing; otherwise the
 *     problem of the first registered view that is not {@code UP} (it names the file, never its
 *     content)
 * @param sources one entry per source, in lookup order
 * @param views one entry per registered view, in registration order: status, problem, and for TLS
 *     views the served certificate's expiry and days until then
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
    List<SourceHealth> sources,
    List<SecretViewHealth> views) {

  /** Checks that no component is null and copies the sources and views. */
  public SecretStoreHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(loadedAt, "loadedAt");
    Objects.requireNonNull(lastRefreshDuration, "lastRefreshDuration");
    Objects.requireNonNull(totalRefreshDuration, "totalRefreshDuration");
    Objects.requireNonNull(lastError, "lastError");
    sources = List.copyOf(sources);
    views = List.copyOf(views);
  }

  /** A store's health without registered views (the constructor before views were added). */
  public SecretStoreHealth(
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
    this(
        status,
        revision,
        keyCount,
        loadedAt,
        refreshes,
        failures,
        lastRefreshDuration,
        totalRefreshDuration,
        lastError,
        sources,
        List.of());
  }

  /** How old the current snapshot is at {@code now}. */
  public Duration snapshotAge(Instant now) {
    Duration age = Duration.between(loadedAt, now);
    return age.isNegative() ? Duration.ZERO : age;
  }

  /** Health of a store or one of its sources. */
  public enum Status {
    /** Every source read successfully on its last refresh and every registered view is good. */
    UP,
    /**
     * Some source failed or is missing, or a registered view refused the newest generation (or
     * serves an expired certificate); the last good values are still served.
     */
    DEGRADED,
    /** The store is closed, or a registered view has never had a usable value. */
    DOWN
  }
}
