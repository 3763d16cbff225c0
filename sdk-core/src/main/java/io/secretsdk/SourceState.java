package io.secretsdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One source of a store and what the store knows about it: its last good content, its revision, its
 * failures and how it is watched. It changes only through its own methods, which the store calls
 * under its refresh lock; health is read from any thread (fields are volatile, health is a
 * best-effort view).
 */
final class SourceState {

  private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());

  private final SourceReader reader;
  private final boolean optional;
  private final boolean fingerprinted;
  private final boolean watched;
  private static final AtomicIntegerFieldUpdater<SourceState> QUEUED =
      AtomicIntegerFieldUpdater.newUpdater(SourceState.class, "refreshQueued");

  private volatile int refreshQueued;
  private volatile MountWatcher watcher;

  private volatile Map<String, Secret> content = Map.of();
  private volatile String fingerprint = "";
  // The directories the last read found, kept only when watched: the watcher syncs to them after
  // each read, and a poll that retries events syncs to them again.
  private volatile List<Path> directories;
  private volatile long revision;
  private volatile Instant lastRefresh;
  private volatile Instant lastSuccess;
  private volatile Instant readAt;
  private volatile String lastError;
  private volatile long consecutiveFailures;
  private volatile WatchMode watchMode = WatchMode.NONE;

  /**
   * @param fingerprinted whether to remember the reader's fingerprint at each read, for polls
   * @param watched whether to remember the directories of each read, for a watcher
   */
  SourceState(SourceReader reader, boolean optional, boolean fingerprinted, boolean watched) {
    this.reader = reader;
    this.optional = optional;
    this.fingerprinted = fingerprinted;
    this.watched = watched;
  }

  String source() {
    return reader.source();
  }

  boolean optional() {
    return optional;
  }

  /** The mount directory, or {@code null} for a source that is not a mount. */
  Path mountRoot() {
    return reader.mountRoot();
  }

  /** Whether polling can see changes of this source (a mount, or files named by variables). */
  boolean pollable() {
    return reader.mountRoot() != null || !reader.fingerprint().isEmpty();
  }

  /** The last good content, immutable. */
  Map<String, Secret> content() {
    return content;
  }

  boolean failing() {
    return lastError != null;
  }

  String lastError() {
    return lastError;
  }

  long consecutiveFailures() {
    return consecutiveFailures;
  }

  WatchMode watchMode() {
    return watchMode;
  }

  /** Whether a poll should read the source: it is failing, or its fingerprint moved. */
  boolean needsRead() {
    return failing() || !reader.fingerprint().equals(fingerprint);
  }

  /** Marks a background read as queued; {@code false} if one already is. */
  boolean queueRead() {
    return QUEUED.compareAndSet(this, 0, 1);
  }

  /** Clears the queued mark as the queued read starts. */
  void startQueuedRead() {
    refreshQueued = 0;
  }

  /**
   * Reads the source and keeps the result if it succeeded. A success shows in health only after
   * {@link #markHealthy}, which the store calls once the snapshot holding the result is published,
   * so "UP" never precedes the values it vouches for.
   *
   * @return whether the content changed
   * @throws SecretReadException after recording the failure; the last good content stays
   */
  boolean refresh(Clock clock) {
    Instant now = clock.instant();
    lastRefresh = now;
    // One walk: the content, the fingerprint the poller compares and the watcher's directories.
    SourceRead read = reader.readAll();
    if (fingerprinted) {
      fingerprint = read.fingerprint();
    }
    if (watched) {
      directories = read.directories();
    }
    SecretReadException failure = read.failure();
    if (failure != null) {
      lastError = failure.getMessage();
      consecutiveFailures++;
      throw failure;
    }
    readAt = now;
    Map<String, Secret> fresh = read.content();
    if (revision > 0 && fresh.equals(content)) {
      return false;
    }
    content = fresh;
    revision++;
    return true;
  }

  /** Records the last successful {@link #refresh} in health, after its snapshot was published. */
  void markHealthy() {
    lastSuccess = readAt;
    lastError = null;
    consecutiveFailures = 0;
  }

  /** Marks the source as polled only (no events can be had for it, or none were asked for). */
  void pollOnly() {
    watchMode = WatchMode.POLLING;
  }

  /** Starts watching the mount with {@code newWatcher}; call {@link #syncWatch} next. */
  void watchWith(MountWatcher newWatcher) {
    this.watcher = newWatcher;
  }

  /** Whether the source is watched but fell back to polling: a poll should try events again. */
  boolean awaitsEvents() {
    return watcher != null && watchMode == WatchMode.POLLING;
  }

  /**
   * Brings the source's watches in line with its directories; falls back to polling on failure.
   *
   * @param pollEvery the poll interval the fallback runs at, for the log line
   * @return whether a directory was newly watched (its content may predate the watch)
   */
  boolean syncWatch(Duration pollEvery) {
    MountWatcher w = watcher;
    if (w == null) {
      return false;
    }
    try {
      boolean added = w.sync(directories);
      watchMode = WatchMode.EVENTS;
      return added;
    } catch (IOException | RuntimeException e) {
      if (watchMode != WatchMode.POLLING) {
        LOG.log(
            Level.WARNING,
            source()
                + ": cannot watch with file-system events ("
                + e.getMessage()
                + "); falling back to polling every "
                + pollEvery.toMillis()
                + " ms. On Linux, raise fs.inotify.max_user_instances / max_user_watches");
      }
      watchMode = WatchMode.POLLING;
      return false;
    }
  }

  /** Stops watching. */
  void closeWatcher() {
    MountWatcher w = watcher;
    if (w != null) {
      w.close();
    }
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
