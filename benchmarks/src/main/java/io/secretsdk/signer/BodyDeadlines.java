package io.secretsdk.signer;

import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;

/**
 * Deadlines for response bodies. {@code HttpRequest.timeout} only covers the wait for the response
 * headers; a peer that sends headers and then stalls would block {@code HttpClient.send} forever.
 * Each body registers here while it is being received, and one daemon thread, started on first use,
 * fails the bodies that outlive their deadline (checking every 50 ms). On the normal path this
 * costs a set insertion and removal: no timer, no thread hand-off, so {@code send} keeps running on
 * the caller's thread.
 */
final class BodyDeadlines implements AutoCloseable {

  private static final long TICK_MILLIS = 50;

  private final Set<Guarded> inFlight = ConcurrentHashMap.newKeySet();
  private final String threadName;
  private final Object lock = new Object();
  private Thread thread;
  private volatile boolean closed;

  BodyDeadlines(String threadName) {
    this.threadName = threadName;
  }

  /** A body handler that collects the body as bytes within {@code timeout} of the headers. */
  HttpResponse.BodyHandler<byte[]> ofByteArray(Duration timeout) {
    long nanos = timeout.toNanos();
    return info -> new Guarded(HttpResponse.BodySubscribers.ofByteArray(), nanos);
  }

  private void start() {
    synchronized (lock) {
      if (thread != null || closed) {
        return;
      }
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void run() {
    while (!closed) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (Guarded g : inFlight) {
        if (now - g.deadline > 0) {
          g.expire();
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      if (thread != null) {
        thread.interrupt();
      }
    }
    for (Guarded g : inFlight) {
      g.expire();
    }
  }

  /**
   * Wraps a body subscriber; its body fails with {@link HttpTimeoutException} after the deadline.
   */
  private final class Guarded implements HttpResponse.BodySubscriber<byte[]> {
    private final HttpResponse.BodySubscriber<byte[]> inner;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final long timeoutNanos;
    private volatile long deadline;
    private volatile Flow.Subscription subscription;

    Guarded(HttpResponse.BodySubscriber<byte[]> inner, long timeoutNanos) {
      this.inner = inner;
      this.timeoutNanos = timeoutNanos;
      inner
          .getBody()
          .whenComplete(
              (value, failure) -> {
                inFlight.remove(this);
                if (failure != null) {
                  body.completeExceptionally(failure);
                } else {
                  body.complete(value);
                }
              });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      deadline = System.nanoTime() + timeoutNanos;
      if (!body.isDone()) {
        inFlight.add(this);
        start();
      }
      inner.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      inner.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
      inner.onError(throwable);
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    void expire() {
      inFlight.remove(this);
      if (body.completeExceptionally(
          new HttpTimeoutException("the response body did not arrive in time"))) {
        Flow.Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
      }
    }
  }
}
