package io.secretsdk;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One source of a store and what the store knows about it: its last good content, its revision
 * and its failures. Mutated only under the store's refresh lock; read for health from any thread
 * (fields are volatile, health is a best-effort view).
 */
final class SourceState {

  final SourceReader reader;
  final boolean optional;
  final AtomicBoolean refreshQueued = new AtomicBoolean();
  volatile MountWatcher watcher;

  volatile Map<String, Secret> content = Map.of();
  volatile String fingerprint = "";
  volatile long revision;
  volatile Instant lastRefresh;
  volatile Instant lastSuccess;
  private volatile Instant readAt;
  volatile String lastError;
  volatile long consecutiveFailures;
  volatile WatchMode watchMode = WatchMode.NONE;

  SourceState(SourceReader reader, boolean optional) {
    this.reader = reader;
    this.optional = optional;
  }

  String source() {
    return reader.source();
  }

  boolean failing() {
    return lastError != null;
  }

  /**
   * Reads the source and keeps the result if it succeeded. A success shows in health only after
   * {@link #markHealthy}, which the store calls once the snapshot holding the result is
   * published, so "UP" never precedes the values it vouches for.
   *
   * @return whether the content changed
   * @throws SecretReadException after recording the failure; the last good content stays
   */
  boolean refresh(Clock clock) {
    Instant now = clock.instant();
    lastRefresh = now;
    String seen = reader.fingerprint();
    Map<String, Secret> read;
    try {
      read = reader.read();
    } catch (SecretReadException e) {
      lastError = e.getMessage();
      consecutiveFailures++;
      fingerprint = seen;
      throw e;
    }
    fingerprint = seen;
    readAt = now;
    if (read.equals(content) && revision > 0) {
      return false;
    }
    content = Map.copyOf(read);
    revision++;
    return true;
  }

  /** Records the last successful {@link #refresh} in health, after its snapshot was published. */
  void markHealthy() {
    lastSuccess = readAt;
    lastError = null;
    consecutiveFailures = 0;
  }

  SourceHealth health() {
    return new SourceHealth(
        source(),
        failing() ? SecretStoreHealth.Status.DEGRADED : SecretStoreHealth.Status.UP,
        watchMode,
        revision,
        content.size(),
        Optional.ofNullable(lastRefresh),
        Optional.ofNullable(lastSuccess),
        Optional.ofNullable(lastError),
        consecutiveFailures);
  }
}
