package io.secretsdk.signer.sidecar;

import io.secretsdk.SecretException;
import io.secretsdk.SecretStore;
import io.secretsdk.signer.KeyStatus;
import io.secretsdk.signer.LocalSignerBuilder;
import io.secretsdk.signer.Signer;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The signer sidecar: an HTTP/1.1 server on loopback TCP and/or a Unix domain socket that signs and
 * verifies with the HMAC keys in a keys directory, so the application container in the same pod
 * never sees them. The command line is {@link SidecarCommand}; the protocol is {@code
 * io.secretsdk.signer.protocol.SignerProtocol}; the transport is Netty ({@code SidecarServer}).
 *
 * <p>Programmatically (tests, benchmarks, embedding):
 *
 * <pre>{@code
 * try (SignerSidecar sidecar = SignerSidecar.builder()
 *         .keysDirectory(dir)
 *         .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .build()
 *         .start();
 *     Signer client = Signer.sidecar(sidecar.uri())) {
 *   client.sign("webhook-key", body);
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 *
 * <p>Its length is the builder (one checked option per command-line option) and the start and stop
 * of the listeners; the transport, the handler and the command line are classes of their own.
 */
public final class SignerSidecar implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(SignerSidecar.class.getName());

  /** The default port, {@code 8787}. */
  public static final int DEFAULT_PORT = 8787;

  private final Builder config;
  private final Object lock = new Object();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private SecretStore store;
  private boolean ownsStore;
  private Signer signer;
  private SidecarServer server;
  private List<ListenAddress> bound = List.of();
  private boolean started;
  private boolean closed;

  private SignerSidecar(Builder config) {
    this.config = config;
  }

  /** A builder; the default address is {@code 127.0.0.1:8787}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the keys directory, binds every address and starts serving.
   *
   * @return this sidecar, running
   * @throws java.io.UncheckedIOException if an address cannot be bound
   * @throws SecretException if the keys directory is missing or cannot be read
   * @throws IllegalStateException if it was already started
   */
  public SignerSidecar start() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("the signer sidecar was already started");
      }
      started = true;
      try {
        if (config.store != null) {
          store = config.store;
        } else {
          store = openStore(config.keysDirectory);
          ownsStore = true;
        }
        signer =
            Signer.localBuilder(store)
                .grace(config.grace)
                .maxOldKeys(config.maxOldKeys)
                .minKeyBytes(config.minKeyBytes)
                .clock(config.clock)
                .eager(true)
                .build();
        server = new SidecarServer(config, signer);
        bound = server.start();
      } catch (RuntimeException | Error e) {
        release();
        closed = true;
        closedLatch.countDown();
        throw e;
      }
      logStartup();
      return this;
    }
  }

  private static SecretStore openStore(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new SecretException("keys directory " + abs + " does not exist");
    }
    if (!Files.isDirectory(abs)) {
      throw new SecretException("keys directory " + abs + " is not a directory");
    }
    if (!Files.isReadable(abs) || !Files.isExecutable(abs)) {
      throw new SecretException("keys directory " + abs + " is not readable by this user");
    }
    return SecretStore.builder().mount(abs).build();
  }

  private void logStartup() {
    List<String> loaded = new ArrayList<>();
    for (KeyStatus k : signer.keyStatus()) {
      if (k.keyId() != null) {
        loaded.add(
            k.name()
                + " (key id "
                + k.keyId()
                + (k.verifyOnlyKeyIds().isEmpty() ? "" : ", verifies also " + k.verifyOnlyKeyIds())
                + ")");
      } else if (k.problem() != null) {
        LOG.log(Level.WARNING, k.problem());
      }
    }
    List<String> uris = new ArrayList<>();
    for (URI u : uris()) {
      uris.add(u.toString());
    }
    String source =
        config.store != null
            ? "the given store"
            : config.keysDirectory.toAbsolutePath().normalize().toString();
    LOG.log(
        Level.INFO,
        "signer sidecar listening on "
            + String.join(" and ", uris)
            + " with keys from "
            + source
            + ": "
            + (loaded.isEmpty() ? "none" : String.join(", ", loaded))
            + "; grace "
            + config.grace
            + ", max body "
            + config.maxBodyBytes
            + " bytes, max batch "
            + config.maxBatch
            + ", "
            + server.describe());
    if (loaded.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "no usable signing key yet; /v1/health answers 503 until one appears in " + source);
    }
    for (ListenAddress a : bound) {
      if (!a.isUnix() && !a.tcpAddress().getAddress().isLoopbackAddress()) {
        LOG.log(
            Level.WARNING,
            "listening on a non-loopback address: anything that can reach " + a + " can sign");
      }
    }
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitClose() throws InterruptedException {
    closedLatch.await();
  }

  /** The bound addresses, in {@code --listen} order (TCP ports resolved when 0 was asked for). */
  public List<ListenAddress> addresses() {
    synchronized (lock) {
      if (bound.isEmpty()) {
        throw new IllegalStateException("the signer sidecar is not started");
      }
      return bound;
    }
  }

  /** The first bound TCP address. */
  public InetSocketAddress address() {
    for (ListenAddress a : addresses()) {
      if (!a.isUnix()) {
        return a.tcpAddress();
      }
    }
    throw new IllegalStateException("the signer sidecar listens on no TCP address");
  }

  /**
   * The base URI clients use for the first address: {@code http://127.0.0.1:8787} (the loopback
   * address when bound to every interface) or {@code unix:/run/signer/signer.sock}.
   */
  public URI uri() {
    return uris().get(0);
  }

  /** The base URIs of every address, in {@code --listen} order. */
  public List<URI> uris() {
    List<URI> out = new ArrayList<>();
    for (ListenAddress a : addresses()) {
      if (a.isUnix()) {
        out.add(URI.create("unix:" + a.socketPath()));
      } else {
        InetSocketAddress t = a.tcpAddress();
        if (t.getAddress() != null && t.getAddress().isAnyLocalAddress()) {
          t = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.getPort());
        }
        out.add(URI.create("http://" + ListenAddress.hostPort(t)));
      }
    }
    return out;
  }

  /** The names and key ids of the current usable keys, sorted by name; never key bytes. */
  public Map<String, String> keyIds() {
    Signer s;
    synchronized (lock) {
      s = signer;
    }
    if (s == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyStatus k : s.keyStatus()) {
      if (k.keyId() != null) {
        out.put(k.name(), k.keyId());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Open connections now (for tests and the abuse suite). */
  int openConnections() {
    synchronized (lock) {
      return server == null ? 0 : server.guard().openConnections();
    }
  }

  /**
   * Connections no longer read because their client does not read its answers (for the abuse
   * suite).
   */
  int stalledConnections() {
    synchronized (lock) {
      return server == null ? 0 : server.guard().notReading();
    }
  }

  /**
   * Stops serving, ends the threads, removes the socket files and closes the store it opened.
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      release();
    }
    LOG.log(Level.INFO, "signer sidecar stopped" + (bound.isEmpty() ? "" : " (" + bound + ")"));
    closedLatch.countDown();
  }

  private void release() {
    if (server != null) {
      server.close();
    }
    if (signer != null) {
      signer.close();
    }
    if (store != null && ownsStore) {
      store.close();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SignerSidecar["
          + (bound.isEmpty() ? "not started" : bound.toString())
          + (closed ? ", closed" : "")
          + "]";
    }
  }

  /** The string with control characters replaced and at most 64 characters kept. */
  static String printable(String s) {
    return io.secretsdk.signer.protocol.SignerProtocol.printable(s, 64);
  }

  /** Configures a {@link SignerSidecar}. Not thread-safe. */
  public static final class Builder {

    Path keysDirectory;
    SecretStore store;
    final List<ListenAddress> listen = new ArrayList<>();
    boolean allowNonLoopback;
    Duration grace = LocalSignerBuilder.DEFAULT_GRACE;
    int maxOldKeys = LocalSignerBuilder.DEFAULT_MAX_OLD_KEYS;
    int minKeyBytes = LocalSignerBuilder.DEFAULT_MIN_KEY_BYTES;
    Clock clock = Clock.systemUTC();
    int maxBodyBytes = 1024 * 1024;
    int maxBatch = 10_000;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    int ioThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    Set<PosixFilePermission> socketMode = SocketMode.parse("0660");
    int maxConnections = 1024;
    int maxConnectionsPerClient = 256;
    Duration requestTimeout = Duration.ofSeconds(10);
    Duration writeTimeout = Duration.ofSeconds(10);
    Duration idleTimeout = Duration.ofMinutes(5);
    Transport transport = Transport.AUTO;

    Builder() {}

    /**
     * The directory whose files are the keys, named by file name (nested items as {@code
     * dir.file}); watched for rotations. It must exist when {@link SignerSidecar#start()} runs.
     */
    public Builder keysDirectory(Path dir) {
      this.keysDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Serves the keys of an existing store instead of a keys directory; the sidecar does not close
     * it.
     */
    public Builder store(SecretStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Adds a TCP address to listen on (default, when none is added: {@code 127.0.0.1:8787}); port 0
     * picks a free port.
     */
    public Builder listen(InetSocketAddress address) {
      return listen(ListenAddress.tcp(address));
    }

    /** Adds an address to listen on: TCP or a Unix domain socket; repeat to serve several. */
    public Builder listen(ListenAddress address) {
      listen.add(Objects.requireNonNull(address, "address"));
      return this;
    }

    /** Adds the loopback address on this port; 0 picks a free port. */
    public Builder port(int port) {
      return listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /**
     * Whether a non-loopback address may be bound (default {@code false}). Anything that can reach
     * such an address can sign with every key.
     */
    public Builder allowNonLoopback(boolean allow) {
      this.allowNonLoopback = allow;
      return this;
    }

    /** How long rotated-out keys still verify (default 24 hours). */
    public Builder grace(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("grace period cannot be negative: " + grace);
      }
      this.grace = grace;
      return this;
    }

    /** How many previous keys per name are kept (default 4, at most 64). */
    public Builder maxOldKeys(int maxOldKeys) {
      if (maxOldKeys < 0 || maxOldKeys > 64) {
        throw new IllegalArgumentException(
            "--max-old-keys must be between 0 and 64: " + maxOldKeys);
      }
      this.maxOldKeys = maxOldKeys;
      return this;
    }

    /** The shortest usable key in bytes (default 16). */
    public Builder minKeyBytes(int minKeyBytes) {
      if (minKeyBytes < 1) {
        throw new IllegalArgumentException("--min-key-bytes must be at least 1: " + minKeyBytes);
      }
      this.minKeyBytes = minKeyBytes;
      return this;
    }

    /** The clock that times grace periods (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest request body accepted, in bytes (default 1 MiB); larger ones get {@code 413}. */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1024 || bytes > 256 * 1024 * 1024) {
        throw new IllegalArgumentException(
            "--max-body-bytes must be between 1024 and 268435456: " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** The most items in one batch request (default 10,000); more get {@code 413}. */
    public Builder maxBatch(int items) {
      if (items < 1) {
        throw new IllegalArgumentException("--max-batch must be at least 1: " + items);
      }
      this.maxBatch = items;
      return this;
    }

    /**
     * How many worker threads sign large batches (default the number of processors, at least 2).
     * Single requests and batches of up to {@value SidecarHttpHandler#INLINE_ITEMS} items are
     * answered on the I/O thread that read them (no hand-off: the cheapest path); larger batches go
     * to the workers so they never delay other connections. {@code 0} answers everything on the I/O
     * threads.
     */
    public Builder threads(int threads) {
      if (threads < 0 || threads > 1024) {
        throw new IllegalArgumentException("--threads must be between 0 and 1024: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** How many I/O (event loop) threads serve the connections (default min(2, processors)). */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads < 1 || ioThreads > 64) {
        throw new IllegalArgumentException("--io-threads must be between 1 and 64: " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** The permissions of Unix socket files (default {@code rw-rw----}, 0660). */
    public Builder socketMode(Set<PosixFilePermission> mode) {
      this.socketMode = Set.copyOf(Objects.requireNonNull(mode, "mode"));
      return this;
    }

    /**
     * The most open connections in total (default 1024). At the limit a new connection evicts the
     * connection that made no progress for the longest time, so a crowd of stalled clients never
     * locks a well-behaved one out.
     */
    public Builder maxConnections(int max) {
      if (max < 1 || max > 1_000_000) {
        throw new IllegalArgumentException(
            "--max-connections must be between 1 and 1000000: " + max);
      }
      this.maxConnections = max;
      return this;
    }

    /**
     * The most open connections from one client address (default 256; every client of a loopback or
     * Unix socket listener is the same client, so there the total limit is what counts).
     */
    public Builder maxConnectionsPerClient(int max) {
      if (max < 1 || max > 1_000_000) {
        throw new IllegalArgumentException(
            "--max-connections-per-client must be between 1 and 1000000: " + max);
      }
      this.maxConnectionsPerClient = max;
      return this;
    }

    /**
     * How long a request may take to arrive, from its first byte to the end of its body (default 10
     * s); then the sidecar answers {@code 408} and closes the connection.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "--request-timeout");
      return this;
    }

    /**
     * How long an answer may take to be written out to a client that does not read (default 10 s);
     * then the connection is closed.
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = positive(timeout, "--write-timeout");
      return this;
    }

    /** How long a keep-alive connection may stay idle between requests (default 5 min). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "--idle-timeout");
      return this;
    }

    /**
     * The Netty transport: {@link Transport#AUTO} (default: epoll where its native library loads,
     * else NIO), {@link Transport#NIO} or {@link Transport#EPOLL}.
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Checks the configuration; nothing is read or bound until {@link SignerSidecar#start()}.
     *
     * @throws IllegalArgumentException if the configuration is invalid, for example a non-loopback
     *     address without {@link #allowNonLoopback(boolean)}
     */
    public SignerSidecar build() {
      if (keysDirectory == null && store == null) {
        throw new IllegalArgumentException("set a keys directory (--keys-dir) or a store");
      }
      if (keysDirectory != null && store != null) {
        throw new IllegalArgumentException("set a keys directory or a store, not both");
      }
      if (listen.isEmpty()) {
        port(DEFAULT_PORT);
      }
      if (listen.stream().distinct().count() != listen.size()) {
        throw new IllegalArgumentException("--listen: the same address is given twice: " + listen);
      }
      for (ListenAddress a : listen) {
        if (a.isUnix()) {
          continue;
        }
        InetSocketAddress t = a.tcpAddress();
        if (t.isUnresolved()) {
          throw new IllegalArgumentException(
              "cannot resolve listen host '" + t.getHostString() + "'");
        }
        if (!t.getAddress().isLoopbackAddress() && !allowNonLoopback) {
          throw new IllegalArgumentException(
              "refusing to listen on "
                  + a
                  + ": it is not a loopback address, and anything that can reach it could sign with every key; "
                  + "pass --allow-non-loopback (allowNonLoopback(true)) if that is really intended");
        }
      }
      return new SignerSidecar(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }

  /** The Netty transport the sidecar runs on. */
  public enum Transport {
    /** Epoll where the native transport is available (Linux x86_64), NIO elsewhere. */
    AUTO,
    /** Java NIO: TCP and (on JDK 16+) Unix domain sockets on every OS. */
    NIO,
    /** Linux epoll (native, bundled for x86_64): fewer system calls per request. */
    EPOLL
  }
}
