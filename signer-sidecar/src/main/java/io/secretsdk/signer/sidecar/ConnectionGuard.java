package io.secretsdk.signer.sidecar;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.secretsdk.signer.protocol.SignerProtocol;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what connections can hold: how many there are (in total and per client address), how long
 * a request may take to arrive, how long an answer may wait to be written, how long a connection
 * may stay idle. Each connection gets a {@link Tracker} at the head of its pipeline, which sees raw
 * bytes before the HTTP codec. Thread-safe; a tracker's own state is touched only on its channel's
 * event loop, apart from the progress time other loops read to choose whom to evict.
 */
final class ConnectionGuard {

  private static final System.Logger LOG = System.getLogger(SignerSidecar.class.getName());

  private final int maxConnections;
  private final int maxPerClient;
  private final long requestTimeoutNanos;
  private final long writeTimeoutNanos;
  private final long idleTimeoutNanos;
  private final Map<Tracker, Boolean> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final AtomicInteger evictions = new AtomicInteger();

  ConnectionGuard(
      int maxConnections,
      int maxPerClient,
      Duration requestTimeout,
      Duration writeTimeout,
      Duration idleTimeout) {
    this.maxConnections = maxConnections;
    this.maxPerClient = maxPerClient;
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.writeTimeoutNanos = writeTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  Tracker newTracker() {
    return new Tracker();
  }

  int openConnections() {
    return open.size();
  }

  /** Connections the sidecar has stopped reading because their client does not read its answers. */
  int notReading() {
    int n = 0;
    for (Tracker t : open.keySet()) {
      if (t.ctx != null && !t.ctx.channel().config().isAutoRead()) {
        n++;
      }
    }
    return n;
  }

  int evictions() {
    return evictions.get();
  }

  private void admit(Tracker t) {
    open.put(t, Boolean.TRUE);
    int forClient = perClient.computeIfAbsent(t.client, k -> new AtomicInteger()).incrementAndGet();
    if (forClient > maxPerClient) {
      evictStalest(t, t.client);
    } else if (open.size() > maxConnections) {
      evictStalest(t, null);
    }
  }

  private void remove(Tracker t) {
    if (open.remove(t) != null) {
      perClient.computeIfPresent(t.client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /**
   * Closes the connection (of {@code client}, or any) that made progress longest ago, never {@code
   * except}. Synchronized: connections are admitted on every I/O thread, and two admissions that
   * chose a victim at the same time used to pick the same one, so each such race left one
   * connection over the limit (until a timeout closed it).
   */
  private synchronized void evictStalest(Tracker except, String client) {
    Tracker victim = null;
    for (Tracker t : open.keySet()) {
      if (t != except
          && !t.evicted
          && (client == null || client.equals(t.client))
          && (victim == null || t.lastProgress - victim.lastProgress < 0)) {
        victim = t;
      }
    }
    if (victim != null) {
      victim.evicted = true;
      evictions.incrementAndGet();
      Tracker v = victim;
      v.ctx
          .executor()
          .execute(
              () ->
                  v.expire(
                      "the sidecar's connection limit was reached and this connection was the least active"));
    }
  }

  /**
   * The raw bytes of a JSON error answer that closes the connection (written below the HTTP codec).
   */
  static ByteBuf rawError(int status, String reason, String message) {
    byte[] body = SignerProtocol.encodeError(message);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
            + "Connection: close\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(US_ASCII), body);
  }

  /**
   * One connection's limits and clocks; the first handler of its pipeline. The request path only
   * writes a few fields (no timer is scheduled or cancelled per request): one periodic check per
   * connection, every quarter of the shortest timeout, compares them with the clock.
   */
  final class Tracker extends ChannelInboundHandlerAdapter {
    ChannelHandlerContext ctx;
    String client = "";
    volatile long lastProgress = System.nanoTime();
    volatile boolean evicted;
    private boolean inRequest;
    private boolean closing;
    private long requestStart;
    private long idleSince = System.nanoTime();
    private long pendingSince = System.nanoTime();
    private long lastPending;
    private ScheduledFuture<?> check;

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      this.ctx = ctx;
      SocketAddress remote = ctx.channel().remoteAddress();
      client =
          remote instanceof InetSocketAddress
              ? ((InetSocketAddress) remote).getAddress().getHostAddress()
              : "local";
      long period =
          Math.max(
              TimeUnit.MILLISECONDS.toNanos(10),
              Math.min(requestTimeoutNanos, Math.min(writeTimeoutNanos, idleTimeoutNanos)) / 4);
      check = ctx.executor().scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
      admit(this);
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      remove(this);
      if (check != null) {
        check.cancel(false);
      }
      super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      long now = System.nanoTime();
      lastProgress = now;
      if (!inRequest) {
        inRequest = true;
        requestStart = now;
      }
      super.channelRead(ctx, msg);
    }

    /** The HTTP handler has a whole request: stop its clock. */
    void requestComplete() {
      inRequest = false;
      idleSince = System.nanoTime();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      // A client that sends requests but does not read the answers stops being read from, so
      // its answers cannot pile up; the write timeout then closes it.
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
      super.channelWritabilityChanged(ctx);
    }

    private void check() {
      if (closing || !ctx.channel().isActive()) {
        return;
      }
      long now = System.nanoTime();
      io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
      long pending = out == null ? 0 : out.totalPendingWriteBytes();
      // The write clock runs from the check that first saw answers pending, and restarts whenever
      // the client took some of them.
      if (pending == 0 || lastPending == 0 || pending < lastPending) {
        pendingSince = now;
        if (pending > 0) {
          lastProgress = now;
        }
      }
      lastPending = pending;
      if (pending > 0 && now - pendingSince > writeTimeoutNanos) {
        LOG.log(
            System.Logger.Level.DEBUG,
            "closing a connection whose client did not read its answers in time");
        closing = true;
        ctx.close();
      } else if (inRequest && now - requestStart > requestTimeoutNanos) {
        expire("the request did not arrive completely within the request timeout");
      } else if (!inRequest
          && pending == 0
          && now - Math.max(idleSince, lastProgress) > idleTimeoutNanos) {
        closing = true;
        ctx.close();
      }
    }

    /** Ends the connection: with a {@code 408} answer when a request was under way. */
    void expire(String why) {
      if (closing || !ctx.channel().isActive()) {
        return;
      }
      closing = true;
      io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
      if (inRequest && (out == null || out.totalPendingWriteBytes() == 0)) {
        ByteBuf answer = rawError(408, "Request Timeout", why + "; the connection is closed");
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        // A client that does not read gets no longer than the write timeout.
        ctx.executor()
            .schedule(
                () -> ctx.close(),
                Math.min(writeTimeoutNanos, TimeUnit.SECONDS.toNanos(1)),
                TimeUnit.NANOSECONDS);
      } else {
        ctx.close();
      }
    }

    /** Whether the connection is being closed (then no further request is served). */
    boolean closing() {
      return closing;
    }

    /** Marks the connection as closing after the current answer. */
    void markClosing() {
      closing = true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets and broken pipes are the client's business; nothing of theirs is logged.
      closing = true;
      ctx.close();
    }
  }
}
