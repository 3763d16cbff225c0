package io.secretsdk;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * When a store's background work runs: reads asked for now, reads after a quiet period (a new
 * request for the same key restarts the period), and the poll. Runs them on the executor the
 * application supplied, or on one daemon thread of its own started by {@link #start()}; on {@link
 * #close()} it cancels what it scheduled on a supplied executor and shuts its own down. Knows
 * nothing about what the tasks do. Thread-safe.
 */
final class RefreshPacer {

  private final ScheduledExecutorService supplied;
  private final String threadName;
  private final Map<Object, ScheduledFuture<?>> quietTimers = new HashMap<>();
  private volatile ScheduledExecutorService executor;
  private volatile ScheduledFuture<?> pollTask;
  private volatile boolean closed;

  /**
   * @param supplied the application's executor, or {@code null} for a thread of our own
   * @param threadName the name of that thread
   */
  RefreshPacer(ScheduledExecutorService supplied, String threadName) {
    this.supplied = supplied;
    this.threadName = threadName;
  }

  /** Gets an executor: the supplied one, or a new single daemon thread. Call once. */
  synchronized void start() {
    if (executor != null || closed) {
      return;
    }
    if (supplied != null) {
      executor = supplied;
    } else {
      ScheduledThreadPoolExecutor own =
          new ScheduledThreadPoolExecutor(1, new DaemonThreads(threadName));
      own.setRemoveOnCancelPolicy(true);
      own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      executor = own;
    }
  }

  /** Runs {@code task} as soon as possible; does nothing before {@link #start()} or after close. */
  void runNow(Runnable task) {
    ScheduledExecutorService e = executor;
    if (closed || e == null) {
      return;
    }
    try {
      e.execute(task);
    } catch (RejectedExecutionException closing) {
      // Closing.
    }
  }

  /**
   * Runs {@code task} once {@code period} has passed without another call for the same {@code key}:
   * a burst of file events gives one read, after the burst.
   */
  void runAfterQuiet(Object key, Duration period, Runnable task) {
    ScheduledExecutorService e = executor;
    if (closed || e == null) {
      return;
    }
    synchronized (quietTimers) {
      ScheduledFuture<?> previous = quietTimers.get(key);
      if (previous != null) {
        previous.cancel(false);
      }
      try {
        quietTimers.put(
            key,
            e.schedule(
                () -> {
                  synchronized (quietTimers) {
                    quietTimers.remove(key);
                  }
                  task.run();
                },
                period.toNanos(),
                TimeUnit.NANOSECONDS));
      } catch (RejectedExecutionException closing) {
        // Closing.
      }
    }
  }

  /** Runs {@code task} every {@code interval}, at a fixed rate. */
  void pollEvery(Duration interval, Runnable task) {
    ScheduledExecutorService e = executor;
    if (closed || e == null || interval.isZero()) {
      return;
    }
    long millis = interval.toMillis();
    // Fixed rate: one late wake-up on a busy machine does not push every later poll back.
    pollTask = e.scheduleAtFixedRate(task, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops everything: cancels our tasks on a supplied executor (not ours to shut down), or shuts
   * our own thread down and waits up to 5 s for it, unless called from that thread. Idempotent.
   */
  void close() {
    ScheduledExecutorService e;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      e = executor;
    }
    if (e == null) {
      return;
    }
    if (e == supplied) {
      ScheduledFuture<?> poll = pollTask;
      if (poll != null) {
        poll.cancel(false);
      }
      synchronized (quietTimers) {
        quietTimers.values().forEach(timer -> timer.cancel(false));
        quietTimers.clear();
      }
      return;
    }
    e.shutdownNow();
    if (!Thread.currentThread().getName().equals(threadName)) {
      try {
        e.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
