package io.secretsdk.signer.sidecar;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.secretsdk.signer.Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sidecar's transport: Netty HTTP/1.1 on NIO or epoll, one listener per {@code --listen}
 * address (TCP or Unix domain socket), a bounded worker pool for large batches and a {@link
 * ConnectionGuard}. Thread-safe for start and close, which the owner serializes.
 */
final class SidecarServer implements AutoCloseable {

  static final int MAX_LINE_BYTES = 8 * 1024;
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int SOCKET_BUFFER_BYTES = 128 * 1024;

  private final SignerSidecar.Builder config;
  private final Signer signer;
  private final ConnectionGuard guard;
  private final List<Channel> listeners = new ArrayList<>();
  private final List<Path> sockets = new ArrayList<>();
  private EventLoopGroup group;
  private ThreadPoolExecutor workers;
  private String chosen = "nio";

  SidecarServer(SignerSidecar.Builder config, Signer signer) {
    this.config = config;
    this.signer = signer;
    this.guard =
        new ConnectionGuard(
            config.maxConnections,
            config.maxConnectionsPerClient,
            config.requestTimeout,
            config.writeTimeout,
            config.idleTimeout);
  }

  List<ListenAddress> start() {
    boolean epoll =
        config.transport == SignerSidecar.Transport.EPOLL
            || (config.transport == SignerSidecar.Transport.AUTO
                && io.netty.channel.epoll.Epoll.isAvailable());
    if (config.transport == SignerSidecar.Transport.EPOLL
        && !io.netty.channel.epoll.Epoll.isAvailable()) {
      throw new IllegalStateException(
          "--transport epoll: the native epoll transport is not available here ("
              + io.netty.channel.epoll.Epoll.unavailabilityCause().getClass().getSimpleName()
              + "); use nio");
    }
    chosen = epoll ? "epoll" : "nio";
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    group =
        new MultiThreadIoEventLoopGroup(
            config.ioThreads, new DefaultThreadFactory("secretsdk-signer-io", true), io);
    workers = config.threads == 0 ? null : newWorkers(config.threads);
    List<ListenAddress> bound = new ArrayList<>();
    for (ListenAddress a : config.listen) {
      ServerBootstrap b =
          new ServerBootstrap()
              .group(group)
              .channel(serverChannel(a.isUnix(), epoll))
              .option(ChannelOption.SO_BACKLOG, 1024)
              // Small socket buffers bound what a client that never reads can make the sidecar do
              // before it stops reading it (requests and answers here are small).
              .childOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(32 * 1024, 64 * 1024))
              // One read (at most 16 KiB) per connection per turn of the event loop: a client
              // pipelining thousands of
              // requests gets no bigger share of an I/O thread than any other connection.
              .childOption(
                  ChannelOption.RECVBUF_ALLOCATOR,
                  new io.netty.channel.AdaptiveRecvByteBufAllocator(64, 1024, 16 * 1024)
                      .maxMessagesPerRead(1))
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ConnectionGuard.Tracker tracker = guard.newTracker();
                      ch.pipeline()
                          .addLast("guard", tracker)
                          .addLast(
                              "http",
                              new HttpServerCodec(
                                  new HttpDecoderConfig()
                                      .setMaxInitialLineLength(MAX_LINE_BYTES)
                                      .setMaxHeaderSize(MAX_HEADER_BYTES)
                                      .setMaxChunkSize(64 * 1024)))
                          .addLast(
                              "signer",
                              new SidecarHttpHandler(
                                  signer, tracker, workers, config.maxBodyBytes, config.maxBatch));
                    }
                  });
      if (!a.isUnix()) {
        b.childOption(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        Channel ch = bind(b, a.tcpAddress(), a);
        bound.add(ListenAddress.tcp((InetSocketAddress) ch.localAddress()));
      } else {
        Path path = a.socketPath();
        prepareSocketPath(path);
        SocketAddress sa =
            epoll ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
        bind(b, sa, a);
        sockets.add(path);
        try {
          Files.setPosixFilePermissions(path, config.socketMode);
        } catch (IOException | UnsupportedOperationException e) {
          throw new UncheckedIOException(
              "cannot set the mode of socket " + path + ": " + e.getMessage(),
              e instanceof IOException ? (IOException) e : new IOException(e));
        }
        bound.add(a);
      }
    }
    return List.copyOf(bound);
  }

  private Channel bind(ServerBootstrap b, SocketAddress address, ListenAddress shown) {
    ChannelFuture f = b.bind(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      throw new UncheckedIOException(
          "cannot listen on " + shown + ": " + m,
          cause instanceof IOException ? (IOException) cause : new IOException(m, cause));
    }
    listeners.add(f.channel());
    return f.channel();
  }

  /**
   * Makes room for the socket: a socket file left by a sidecar that is gone is removed; anything
   * else (a live sidecar, a regular file, a directory) is an error.
   */
  private static void prepareSocketPath(Path path) {
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UncheckedIOException(
          new IOException(
              "cannot listen on unix:" + path + ": directory " + dir + " does not exist"));
    }
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    java.nio.file.attribute.BasicFileAttributes attrs;
    try {
      attrs =
          Files.readAttributes(
              path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on unix:" + path + ": " + e.getMessage(), e);
    }
    if (!attrs.isOther()) {
      throw new UncheckedIOException(
          new IOException(
              "cannot listen on unix:" + path + ": a file that is not a socket is in the way"));
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      throw new UncheckedIOException(
          new IOException(
              "cannot listen on unix:" + path + ": another process is listening on it"));
    } catch (IOException refused) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot listen on unix:" + path + ": cannot remove the stale socket: " + e.getMessage(),
            e);
      }
    }
  }

  private static Class<? extends ServerChannel> serverChannel(boolean unix, boolean epoll) {
    if (epoll) {
      return unix ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
    }
    return unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class;
  }

  private static ThreadPoolExecutor newWorkers(int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(threads * 16),
            task -> {
              Thread t = new Thread(task, "secretsdk-signer-worker-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            // A full queue answers 503 (the client retries), never an unbounded backlog.
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** One line for the startup log. */
  String describe() {
    return chosen
        + " transport, "
        + config.ioThreads
        + " I/O thread"
        + (config.ioThreads == 1 ? "" : "s")
        + ", "
        + (workers == null
            ? "every request answered on the I/O threads"
            : config.threads
                + " worker threads for batches over "
                + SidecarHttpHandler.INLINE_ITEMS)
        + ", at most "
        + config.maxConnections
        + " connections";
  }

  ConnectionGuard guard() {
    return guard;
  }

  @Override
  public void close() {
    for (Channel c : listeners) {
      c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    for (Path p : sockets) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // Best effort: a stale socket is removed at the next start.
      }
    }
  }
}
