package io.secretsdk;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one source of a store: a mount or the environment. Holds no values.
 *
 * @param source the source, for example {@code mount:/etc/secrets/db} or {@code environment}
 * @param status {@code UP} when the last read succeeded, {@code DEGRADED} when it failed and the
 *     last good values are still served, or when an optional mount is missing
 * @param watchMode how the source notices changes
 * @param revision increases every time this source's content changes; {@code 0} before the first
 *     successful read
 * @param keyCount how many names the source currently contributes
 * @param lastRefresh when the source was last read, successfully or not
 * @param lastSuccess when the source was last read successfully
 * @param lastError the last failure's message (names files and keys, never values), while the
 *     source is failing
 * @param consecutiveFailures failed reads since the last success
 */
public record SourceHealth(
    String source,
    SecretStoreHealth.Status status,
    WatchMode watchMode,
    long revision,
    int keyCount,
    Optional<Instant> lastRefresh,
    Optional<Instant> lastSuccess,
    Optional<String> lastError,
    long consecutiveFailures) {

  /** Checks that no component is null. */
  public SourceHealth {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(watchMode, "watchMode");
    Objects.requireNonNull(lastRefresh, "lastRefresh");
    Objects.requireNonNull(lastSuccess, "lastSuccess");
    Objects.requireNonNull(lastError, "lastError");
  }
}
