package io.secretsdk;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands change events to listeners off the refresh path: one event at a time, in publication order,
 * on the given executor or on a lazily started {@code secretsdk-notify-<n>} thread. A listener that
 * throws anything, {@link Error}s included, is logged by exception class only (its message could
 * quote a value), the others still run and the delivering thread survives. Thread-safe.
 */
final class ListenerDispatcher {

  private static final System.Logger LOG = System.getLogger(ListenerDispatcher.class.getName());

  private final List<SecretListener> listeners = new CopyOnWriteArrayList<>();
  private final Queue<SecretChangeEvent> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor suppliedExecutor;
  private final String threadName;
  private ExecutorService ownExecutor;
  private volatile boolean closed;

  ListenerDispatcher(Executor suppliedExecutor, String threadName) {
    this.suppliedExecutor = suppliedExecutor;
    this.threadName = threadName;
  }

  Subscription add(SecretListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void publish(SecretChangeEvent event) {
    if (closed || listeners.isEmpty()) {
      return;
    }
    pending.add(event);
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (!draining.compareAndSet(false, true)) {
      return;
    }
    try {
      executor().execute(this::drain);
    } catch (RejectedExecutionException e) {
      draining.set(false);
      LOG.log(
          Level.WARNING, "listener executor rejected a change notification; listeners missed it");
    }
  }

  private void drain() {
    try {
      SecretChangeEvent event;
      while (!closed && (event = pending.poll()) != null) {
        for (SecretListener listener : listeners) {
          try {
            listener.onChange(event);
          } catch (Throwable e) {
            // Every Throwable, Errors included (an ExceptionInInitializerError from a listener's
            // lazy setup): rethrown, it would skip the other listeners, kill this thread and hand
            // the message, which can quote a value, to the default uncaught-exception handler.
            LOG.log(
                Level.WARNING,
                "secret listener "
                    + listener.getClass().getName()
                    + " threw "
                    + e.getClass().getName()
                    + " for a change of "
                    + event.names()
                    + "; other listeners still ran (the exception message is not logged, it could quote a value)");
          }
        }
      }
    } finally {
      draining.set(false);
    }
    if (!closed && !pending.isEmpty()) {
      scheduleDrain();
    }
  }

  private synchronized Executor executor() {
    if (suppliedExecutor != null) {
      return suppliedExecutor;
    }
    if (ownExecutor == null) {
      if (closed) {
        throw new RejectedExecutionException("closed");
      }
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(),
              new DaemonThreads(threadName));
      ownExecutor = pool;
    }
    return ownExecutor;
  }

  synchronized void close() {
    closed = true;
    pending.clear();
    listeners.clear();
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
      ownExecutor = null;
    }
  }
}
