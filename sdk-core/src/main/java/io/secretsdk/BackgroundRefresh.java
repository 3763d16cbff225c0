package io.secretsdk;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The part of a store that runs without being asked: file-system watches per mount, reads triggered
 * by their events (at once for a {@code ..data} swap, after the quiet period for a plain
 * directory), the poll that catches what events miss, and the fallback to polling when no watch can
 * be had. Timing is the {@link RefreshPacer}'s; reading and publishing stay the store's ({@code
 * refresher}). Exists only for a store that watches or polls. Thread-safe; watch changes run under
 * the store's refresh lock.
 */
final class BackgroundRefresh {

  private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());

  private final List<SourceState> sources;
  private final Duration pollInterval;
  private final Duration quietPeriod;
  private final ReentrantLock refreshLock;
  private final Consumer<SourceState> refresher;
  private final BooleanSupplier closed;
  private final RefreshPacer pacer;

  private BackgroundRefresh(
      List<SourceState> sources,
      SecretSettings settings,
      ScheduledExecutorService scheduler,
      String threadName,
      ReentrantLock refreshLock,
      Consumer<SourceState> refresher,
      BooleanSupplier closed) {
    this.sources = sources;
    this.pollInterval = settings.pollInterval();
    this.quietPeriod = settings.quietPeriod();
    this.refreshLock = refreshLock;
    this.refresher = refresher;
    this.closed = closed;
    this.pacer = new RefreshPacer(scheduler, threadName);
  }

  /**
   * Starts watching and polling the sources that can change, or returns {@code null} (and starts
   * nothing) when none can.
   *
   * @param refresher reads one source and publishes the result; must not throw
   */
  static BackgroundRefresh startIfNeeded(
      List<SourceState> sources,
      SecretSettings settings,
      WatchRegistry registry,
      ScheduledExecutorService scheduler,
      String threadName,
      ReentrantLock refreshLock,
      Consumer<SourceState> refresher,
      BooleanSupplier closed) {
    boolean needed = false;
    for (SourceState source : sources) {
      if (settings.watch() && source.mountRoot() != null) {
        needed = true;
      } else if (!settings.pollInterval().isZero() && source.pollable()) {
        source.pollOnly();
        needed = true;
      }
    }
    if (!needed) {
      return null;
    }
    BackgroundRefresh background =
        new BackgroundRefresh(
            sources, settings, scheduler, threadName, refreshLock, refresher, closed);
    background.start(settings.watch(), registry);
    return background;
  }

  private void start(boolean watch, WatchRegistry registry) {
    pacer.start();
    refreshLock.lock();
    try {
      for (SourceState source : sources) {
        if (watch && source.mountRoot() != null) {
          source.watchWith(new MountWatcher(source.mountRoot(), registry, triggerFor(source)));
          // A rotation between the initial read and the watch would otherwise wait for a poll.
          afterRead(source);
        }
      }
    } finally {
      refreshLock.unlock();
    }
    pacer.pollEvery(effectivePollInterval(), this::poll);
  }

  /** The configured interval, or the default while a source that wanted events has to poll. */
  private Duration effectivePollInterval() {
    if (!pollInterval.isZero()) {
      return pollInterval;
    }
    for (SourceState source : sources) {
      if (source.watchMode() == WatchMode.POLLING) {
        return SecretSettings.DEFAULT_POLL_INTERVAL;
      }
    }
    return Duration.ZERO;
  }

  private Duration fallbackPollInterval() {
    return pollInterval.isZero() ? SecretSettings.DEFAULT_POLL_INTERVAL : pollInterval;
  }

  private MountWatcher.Trigger triggerFor(SourceState source) {
    return new MountWatcher.Trigger() {
      @Override
      public void readNow() {
        BackgroundRefresh.this.readNow(source);
      }

      @Override
      public void readAfterQuietPeriod() {
        pacer.runAfterQuiet(source, quietPeriod, () -> BackgroundRefresh.this.readNow(source));
      }
    };
  }

  /**
   * After a read of {@code source} (under the refresh lock): brings its watches in line with its
   * directories, and reads once more if a directory is newly watched, since what was written before
   * the watch began raised no event.
   */
  void afterRead(SourceState source) {
    if (!closed.getAsBoolean() && source.syncWatch(fallbackPollInterval())) {
      readNow(source);
    }
  }

  /** Queues one background read of {@code source}, unless one is queued already. */
  private void readNow(SourceState source) {
    if (!closed.getAsBoolean() && source.queueRead()) {
      pacer.runNow(
          () -> {
            source.startQueuedRead();
            if (!closed.getAsBoolean()) {
              refresher.accept(source);
            }
          });
    }
  }

  private void poll() {
    if (closed.getAsBoolean()) {
      return;
    }
    for (SourceState source : sources) {
      try {
        if (source.needsRead()) {
          readNow(source);
        } else if (source.awaitsEvents()) {
          // Try events again: the limit may have been lifted.
          refreshLock.lock();
          try {
            if (!closed.getAsBoolean()) {
              source.syncWatch(fallbackPollInterval());
            }
          } finally {
            refreshLock.unlock();
          }
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, source.source() + ": poll failed: " + e.getClass().getName());
      }
    }
  }

  /** Stops the watches (call under the refresh lock, after the store is marked closed). */
  void closeWatches() {
    sources.forEach(SourceState::closeWatcher);
  }

  /** Cancels or shuts down the timers and polls; waits for the store's own thread to end. */
  void stop() {
    pacer.close();
  }
}
