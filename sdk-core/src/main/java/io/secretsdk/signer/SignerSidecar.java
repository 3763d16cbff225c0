package io.secretsdk.signer;

import com.sun.net.httpserver.HttpServer;
import io.secretsdk.SecretException;
import io.secretsdk.SecretStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The signer sidecar: an HTTP server on loopback that signs and verifies with the HMAC keys in a
 * keys directory, so the application container in the same pod never sees them.
 *
 * <pre>
 * java -cp secretsdk-core.jar:jackson-core.jar io.secretsdk.signer.SignerSidecar \
 *     --keys-dir /etc/signer/keys [--listen 127.0.0.1:8787] [--grace PT24H]
 * </pre>
 *
 * <p>Every file in the keys directory is a key, named by its file name (a Kubernetes Secret
 * volume's keys); the directory is watched, so a rotation is used at once and the previous key
 * keeps verifying for the grace period. The protocol is described on {@code docs/signer.md}.
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
 * <p>Loading this class sets {@code sun.net.httpserver.nodelay=true} (unless it was set), because
 * the JDK's server reads it once, when its implementation first loads: without it every
 * keep-alive request waits about 44 ms for Nagle's algorithm and delayed ACKs. If another part of
 * the JVM created a {@code com.sun.net.httpserver} server before this class loaded, pass {@code
 * -Dsun.net.httpserver.nodelay=true} on the command line.
 */
public final class SignerSidecar implements AutoCloseable {

  static {
    HttpServerSettings.applyDefaults();
  }

  private static final System.Logger LOG = System.getLogger(SignerSidecar.class.getName());

  /** The default port, {@code 8787}. */
  public static final int DEFAULT_PORT = 8787;

  static final String USAGE =
      String.join(
          "\n",
          "usage: java -cp <classpath> io.secretsdk.signer.SignerSidecar --keys-dir <dir> [options]",
          "  --keys-dir <dir>          directory whose files are the HMAC keys, named by file name (required)",
          "  --listen <host:port>      address to listen on (default 127.0.0.1:" + DEFAULT_PORT + "; port 0 picks one)",
          "  --allow-non-loopback      allow a non-loopback listen address (anyone who reaches it can sign)",
          "  --grace <duration>        how long a rotated-out key still verifies (default PT24H; also 90s, 30m, 24h, 7d)",
          "  --max-old-keys <n>        previous keys kept per name (default " + LocalSignerBuilder.DEFAULT_MAX_OLD_KEYS + ")",
          "  --min-key-bytes <n>       shortest usable key (default " + LocalSignerBuilder.DEFAULT_MIN_KEY_BYTES + ")",
          "  --max-body-bytes <n>      largest request body (default 1048576)",
          "  --max-batch <n>           most items in one batch request (default 10000)",
          "  --threads <n>             request threads (default twice the processors, at least 4); 0 handles",
          "                            requests on the accepting thread: lowest latency for small requests,",
          "                            but one large batch delays every other request",
          "  --help                    print this help",
          "",
          "       java -cp <classpath> io.secretsdk.signer.SignerSidecar --probe [http://127.0.0.1:" + DEFAULT_PORT + "]",
          "  checks a running sidecar's /v1/health and exits 0 when it has a usable key (for exec probes:",
          "  the kubelet's httpGet probes cannot reach a loopback-only server)");

  private final Builder config;
  private final Object lock = new Object();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private SecretStore store;
  private boolean ownsStore;
  private LocalSigner signer;
  private HttpServer server;
  private ThreadPoolExecutor executor;
  private InetSocketAddress address;
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
   * A builder configured from command-line arguments, exactly as {@link #main} reads them. Host
   * names are resolved; literal addresses are not looked up.
   *
   * @throws IllegalArgumentException with a message fit for the user when an argument is bad
   */
  public static Builder fromArguments(String... args) {
    Builder b = builder();
    boolean keysDir = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "--allow-non-loopback":
          if (value != null) {
            throw new IllegalArgumentException("--allow-non-loopback takes no value");
          }
          b.allowNonLoopback(true);
          continue;
        case "--keys-dir":
        case "--listen":
        case "--grace":
        case "--max-old-keys":
        case "--min-key-bytes":
        case "--max-body-bytes":
        case "--max-batch":
        case "--threads":
          break;
        default:
          throw new IllegalArgumentException("unknown argument '" + HmacAlgorithm.abbreviate(args[i]) + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        value = args[++i];
      }
      switch (arg) {
        case "--keys-dir":
          if (value.isBlank()) {
            throw new IllegalArgumentException("--keys-dir needs a directory");
          }
          b.keysDirectory(Path.of(value));
          keysDir = true;
          break;
        case "--listen":
          b.listen(parseAddress(value));
          break;
        case "--grace":
          b.grace(parseDuration(value));
          break;
        case "--max-old-keys":
          b.maxOldKeys(parseInt(arg, value));
          break;
        case "--min-key-bytes":
          b.minKeyBytes(parseInt(arg, value));
          break;
        case "--max-body-bytes":
          b.maxBodyBytes(parseInt(arg, value));
          break;
        case "--max-batch":
          b.maxBatch(parseInt(arg, value));
          break;
        default:
          b.threads(parseInt(arg, value));
          break;
      }
    }
    if (!keysDir) {
      throw new IllegalArgumentException("--keys-dir is required");
    }
    return b;
  }

  /**
   * Starts the sidecar from command-line arguments and runs until the process is stopped. Exits
   * with status 2 on a bad argument and 1 when it cannot start (unreadable keys directory, address
   * in use), after one clear line on standard error.
   */
  public static void main(String[] args) {
    // One line per record, unless the operator configured java.util.logging themselves.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
        && System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
    }
    SignerSidecar[] started = new SignerSidecar[1];
    int code = launch(args, System.out, System.err, started);
    if (code != 0) {
      System.exit(code);
    }
    if (started[0] != null) {
      SignerSidecar sidecar = started[0];
      Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "secretsdk-signer-shutdown"));
      try {
        sidecar.awaitClose();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sidecar.close();
      }
    }
  }

  /**
   * What {@link #main} does before it waits: returns the exit status, 0 with {@code started[0]} set
   * when the sidecar runs (or with it unset after {@code --help}).
   */
  static int launch(String[] args, PrintStream out, PrintStream err, SignerSidecar[] started) {
    if (args.length > 0 && args[0].equals("--probe")) {
      return probe(args, out, err);
    }
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.println(USAGE);
        return 0;
      }
    }
    SignerSidecar sidecar;
    try {
      sidecar = fromArguments(args).build();
    } catch (IllegalArgumentException e) {
      err.println("signer-sidecar: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try {
      started[0] = sidecar.start();
      return 0;
    } catch (RuntimeException e) {
      err.println("signer-sidecar: cannot start: " + e.getMessage());
      return 1;
    }
  }

  /** {@code --probe [base URI]}: 0 when {@code /v1/health} answers 200, 1 otherwise. */
  static int probe(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 2) {
      err.println("signer-sidecar: --probe takes at most one argument, the sidecar's base URI");
      return 2;
    }
    URI base;
    try {
      base = URI.create(args.length == 2 ? args[1] : "http://127.0.0.1:" + DEFAULT_PORT);
      if (!"http".equals(base.getScheme()) || base.getHost() == null) {
        throw new IllegalArgumentException("not an http:// URI");
      }
    } catch (IllegalArgumentException e) {
      err.println("signer-sidecar: --probe: invalid URI '" + HmacAlgorithm.abbreviate(args[1]) + "'");
      return 2;
    }
    String s = base.toString().replaceAll("/+$", "");
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .proxy(java.net.ProxySelector.of(null))
            .build();
    try {
      java.net.http.HttpResponse<String> r =
          client.send(
              java.net.http.HttpRequest.newBuilder(URI.create(s + "/v1/health")).timeout(Duration.ofSeconds(2)).GET().build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      out.println(r.statusCode() + " " + HmacAlgorithm.abbreviate(r.body(), 2000));
      return r.statusCode() == 200 ? 0 : 1;
    } catch (IOException e) {
      err.println("signer-sidecar: --probe: no answer from " + s + ": " + e.getClass().getSimpleName());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * Reads the keys directory, binds the address and starts serving.
   *
   * @return this sidecar, running
   * @throws UncheckedIOException if the address cannot be bound
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
            (LocalSigner)
                Signer.localBuilder(store)
                    .grace(config.grace)
                    .maxOldKeys(config.maxOldKeys)
                    .minKeyBytes(config.minKeyBytes)
                    .clock(config.clock)
                    .eager(true)
                    .build();
        executor = config.threads == 0 ? null : newExecutor(config.threads);
        try {
          server = HttpServer.create(config.listen, 0);
        } catch (BindException e) {
          throw new UncheckedIOException("cannot listen on " + hostPort(config.listen) + ": " + e.getMessage(), e);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot listen on " + hostPort(config.listen) + ": " + e, e);
        }
        // With no executor the JDK server handles each exchange on its dispatcher thread.
        server.setExecutor(executor);
        server.createContext("/", new SidecarHandler(signer, config.clock, config.maxBodyBytes, config.maxBatch));
        server.start();
        address = server.getAddress();
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
    List<LocalSigner.KeyStatus> keys = signer.status();
    List<String> loaded = new ArrayList<>();
    for (LocalSigner.KeyStatus k : keys) {
      if (k.keyId != null) {
        loaded.add(k.name + " (key id " + k.keyId + ")");
      } else if (k.problem != null) {
        LOG.log(Level.WARNING, k.problem);
      }
    }
    String source = config.store != null ? "the given store" : config.keysDirectory.toAbsolutePath().normalize().toString();
    LOG.log(
        Level.INFO,
        "signer sidecar listening on "
            + uri()
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
            + (config.threads == 0 ? "requests handled on the dispatcher thread" : config.threads + " request threads"));
    if (loaded.isEmpty()) {
      LOG.log(Level.WARNING, "no usable signing key yet; /v1/health answers 503 until one appears in " + source);
    }
    if (!HttpServerSettings.noDelay()) {
      LOG.log(
          Level.WARNING,
          HttpServerSettings.NODELAY + " is not true: keep-alive requests will take about 44 ms each (Nagle's algorithm)");
    }
    if (!address.getAddress().isLoopbackAddress()) {
      LOG.log(Level.WARNING, "listening on a non-loopback address: anything that can reach " + hostPort(address) + " can sign");
    }
  }

  private static ThreadPoolExecutor newExecutor(int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(256, threads * 64)),
            task -> {
              Thread t = new Thread(task, "secretsdk-signer-http-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            // When the queue is full the server's dispatcher thread runs the request itself, which
            // stops it accepting more until it is done: back-pressure instead of dropped exchanges.
            new ThreadPoolExecutor.CallerRunsPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitClose() throws InterruptedException {
    closedLatch.await();
  }

  /** The bound address (with the real port when port 0 was asked for). */
  public InetSocketAddress address() {
    synchronized (lock) {
      if (address == null) {
        throw new IllegalStateException("the signer sidecar is not started");
      }
      return address;
    }
  }

  /**
   * The base URI clients use, for example {@code http://127.0.0.1:8787} (the loopback address when
   * bound to every interface).
   */
  public URI uri() {
    InetSocketAddress a = address();
    if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
      // Bound to every interface: clients in the pod reach it on loopback.
      a = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort());
    }
    return URI.create("http://" + hostPort(a));
  }

  /** The names and key ids of the current usable keys, sorted by name; never key bytes. */
  public Map<String, String> keyIds() {
    LocalSigner s;
    synchronized (lock) {
      s = signer;
    }
    if (s == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (LocalSigner.KeyStatus k : s.status()) {
      if (k.keyId != null) {
        out.put(k.name, k.keyId);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Stops serving, ends the threads and closes the store it opened. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      release();
    }
    LOG.log(Level.INFO, "signer sidecar stopped" + (address == null ? "" : " (" + hostPort(address) + ")"));
    closedLatch.countDown();
  }

  private void release() {
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
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
      return "SignerSidecar[" + (address == null ? "not started" : hostPort(address)) + (closed ? ", closed" : "") + "]";
    }
  }

  static String hostPort(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    String host = ip != null ? ip.getHostAddress() : a.getHostString();
    if (ip instanceof Inet6Address) {
      int scope = host.indexOf('%');
      host = "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]";
    }
    return host + ":" + a.getPort();
  }

  private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]+)\\](?::(\\d+))?");

  /** {@code host:port}, {@code [v6]:port}, {@code host} or {@code :port} / {@code port}. */
  static InetSocketAddress parseAddress(String value) {
    String v = value.trim();
    String host;
    String port;
    Matcher m = BRACKETED.matcher(v);
    if (m.matches()) {
      host = m.group(1);
      port = m.group(2);
    } else if (v.chars().filter(c -> c == ':').count() > 1) {
      throw new IllegalArgumentException("--listen: write an IPv6 address in brackets, like [::1]:" + DEFAULT_PORT + ": " + value);
    } else if (v.matches("\\d+")) {
      host = "";
      port = v;
    } else {
      int colon = v.lastIndexOf(':');
      host = colon < 0 ? v : v.substring(0, colon);
      port = colon < 0 ? null : v.substring(colon + 1);
    }
    int p = DEFAULT_PORT;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("--listen: invalid port '" + HmacAlgorithm.abbreviate(port) + "' in " + value);
      }
    }
    if (host.isEmpty()) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), p);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), p);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--listen: cannot resolve host '" + HmacAlgorithm.abbreviate(host) + "'");
    }
  }

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** ISO-8601 ({@code PT24H}) or a number with a unit: {@code 500ms}, {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}. */
  static Duration parseDuration(String value) {
    String v = value.trim();
    Matcher m = SIMPLE_DURATION.matcher(v.toLowerCase(Locale.ROOT));
    Duration d;
    if (m.matches()) {
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--grace: number too large: " + value);
      }
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        case "h":
          d = Duration.ofHours(n);
          break;
        default:
          d = Duration.ofDays(n);
          break;
      }
    } else {
      try {
        d = Duration.parse(v);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--grace: '" + HmacAlgorithm.abbreviate(value) + "' is not a duration; use PT24H, 24h, 30m or 90s");
      }
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("--grace cannot be negative: " + value);
    }
    return d;
  }

  private static int parseInt(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + HmacAlgorithm.abbreviate(value) + "' is not a whole number");
    }
  }

  /** Configures a {@link SignerSidecar}. Not thread-safe. */
  public static final class Builder {

    Path keysDirectory;
    SecretStore store;
    InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    boolean allowNonLoopback;
    Duration grace = LocalSignerBuilder.DEFAULT_GRACE;
    int maxOldKeys = LocalSignerBuilder.DEFAULT_MAX_OLD_KEYS;
    int minKeyBytes = LocalSignerBuilder.DEFAULT_MIN_KEY_BYTES;
    Clock clock = Clock.systemUTC();
    int maxBodyBytes = 1024 * 1024;
    int maxBatch = 10_000;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors()) * 2;

    Builder() {}

    /**
     * The directory whose files are the keys, named by file name (nested items as {@code
     * dir.file}); watched for rotations. It must exist when {@link SignerSidecar#start()} runs.
     */
    public Builder keysDirectory(Path dir) {
      this.keysDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Serves the keys of an existing store instead of a keys directory; the sidecar does not close it. */
    public Builder store(SecretStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The address to bind (default {@code 127.0.0.1:8787}); port 0 picks a free port. */
    public Builder listen(InetSocketAddress address) {
      this.listen = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Binds the loopback address on this port; 0 picks a free port. */
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
        throw new IllegalArgumentException("--max-old-keys must be between 0 and 64: " + maxOldKeys);
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
        throw new IllegalArgumentException("--max-body-bytes must be between 1024 and 268435456: " + bytes);
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
     * How many request threads (default twice the processors, at least 4). {@code 0} handles every
     * request on the server's single dispatcher thread: no hand-off between threads, so the lowest
     * latency for small requests, but one large batch delays every other request.
     */
    public Builder threads(int threads) {
      if (threads < 0 || threads > 1024) {
        throw new IllegalArgumentException("--threads must be between 0 and 1024: " + threads);
      }
      this.threads = threads;
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
      if (listen.isUnresolved()) {
        throw new IllegalArgumentException("cannot resolve listen host '" + listen.getHostString() + "'");
      }
      if (!listen.getAddress().isLoopbackAddress() && !allowNonLoopback) {
        throw new IllegalArgumentException(
            "refusing to listen on "
                + hostPort(listen)
                + ": it is not a loopback address, and anything that can reach it could sign with every key; "
                + "pass --allow-non-loopback (allowNonLoopback(true)) if that is really intended");
      }
      return new SignerSidecar(this);
    }
  }
}
