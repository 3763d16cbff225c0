package io.secretsdk.signer.sidecar;

import io.secretsdk.DurationText;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The sidecar's command line (picocli): {@code java -jar secretsdk-signer-sidecar-<version>-all.jar
 * --keys-dir <dir> [--listen 127.0.0.1:8787] [--listen unix:/run/signer/signer.sock] ...}. Exit
 * status 0 (stopped, {@code --help}, {@code --version}), 1 (cannot start, or a probe that failed),
 * 2 (bad arguments), each failure with one clear line on standard error. Not thread-safe; one
 * instance per parse.
 *
 * <p>Most of its length is one annotated field, with its help text, per option.
 */
@Command(
    name = "signer-sidecar",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = SidecarCommand.Version.class,
    usageHelpWidth = 110,
    description = {
      "Signs and verifies with the HMAC keys of a mounted Secret, so the application never holds them.",
      "Protocol: POST /v1/hmac/{key}, POST /v1/verify/{key}, GET /v1/health (see docs/signer.md)."
    },
    footer = {
      "",
      "  signer-sidecar --probe [http://127.0.0.1:8787 | unix:/run/signer/signer.sock]",
      "checks a running sidecar's /v1/health and exits 0 when it has a usable key (for exec probes:",
      "the kubelet's httpGet probes cannot reach a loopback-only server or a socket)."
    })
public final class SidecarCommand implements Callable<Integer> {

  @Option(
      names = "--keys-dir",
      paramLabel = "<dir>",
      description = "directory whose files are the HMAC keys, named by file name (required)")
  String keysDir;

  @Option(
      names = "--listen",
      paramLabel = "<address>",
      description = {
        "address to listen on; repeat to serve several: host:port, [v6]:port, port, or unix:/path/to.sock",
        "(default 127.0.0.1:" + SignerSidecar.DEFAULT_PORT + "; port 0 picks one)"
      })
  List<String> listen = new ArrayList<>();

  @Option(
      names = "--allow-non-loopback",
      description = "allow a non-loopback listen address (anyone who reaches it can sign)")
  boolean allowNonLoopback;

  @Option(
      names = "--grace",
      paramLabel = "<duration>",
      description =
          "how long a rotated-out key still verifies (default PT24H; also 500ms, 90s, 30m, 24h, 7d)")
  String grace;

  @Option(
      names = "--max-old-keys",
      paramLabel = "<n>",
      description = "previous keys kept per name (default 4)")
  String maxOldKeys;

  @Option(
      names = "--min-key-bytes",
      paramLabel = "<n>",
      description = "shortest usable key (default 16)")
  String minKeyBytes;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "<n>",
      description = "largest request body (default 1048576)")
  String maxBodyBytes;

  @Option(
      names = "--max-batch",
      paramLabel = "<n>",
      description = "most items in one batch request (default 10000)")
  String maxBatch;

  @Option(
      names = "--threads",
      paramLabel = "<n>",
      description = {
        "worker threads for batches over "
            + SidecarHttpHandler.INLINE_ITEMS
            + " items (default: processors, at least 2);",
        "smaller requests are answered on the I/O threads; 0 answers everything there"
      })
  String threads;

  @Option(
      names = "--io-threads",
      paramLabel = "<n>",
      description = "I/O threads (default min(2, processors))")
  String ioThreads;

  @Option(
      names = "--socket-mode",
      paramLabel = "<mode>",
      description = "permissions of unix: socket files (default 0660)")
  String socketMode;

  @Option(
      names = "--max-connections",
      paramLabel = "<n>",
      description =
          "open connections in total; at the limit the least active one is closed (default 1024)")
  String maxConnections;

  @Option(
      names = "--max-connections-per-client",
      paramLabel = "<n>",
      description = "open connections per client address (default 256)")
  String maxConnectionsPerClient;

  @Option(
      names = "--request-timeout",
      paramLabel = "<duration>",
      description =
          "time for a request's headers and body to arrive; then 408 and close (default 10s)")
  String requestTimeout;

  @Option(
      names = "--write-timeout",
      paramLabel = "<duration>",
      description =
          "time for an answer to be taken by a client that does not read; then close (default 10s)")
  String writeTimeout;

  @Option(
      names = "--idle-timeout",
      paramLabel = "<duration>",
      description = "how long a keep-alive connection may idle (default 5m)")
  String idleTimeout;

  @Option(
      names = "--transport",
      paramLabel = "<auto|nio|epoll>",
      description = "Netty transport (default auto: epoll where available, else nio)")
  String transport;

  @Option(
      names = "--probe",
      arity = "0..1",
      paramLabel = "<uri>",
      fallbackValue = "http://127.0.0.1:" + SignerSidecar.DEFAULT_PORT,
      description = "check a running sidecar's /v1/health instead of starting one")
  String probe;

  private PrintStream out = System.out;
  private PrintStream err = System.err;
  private SignerSidecar started;

  /**
   * Starts the sidecar from command-line arguments and runs until the process is stopped; exits
   * with the statuses described on the class.
   */
  public static void main(String[] args) {
    // One line per record, unless the operator configured java.util.logging themselves.
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
        && System.getProperty("java.util.logging.config.file") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
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
   * when the sidecar runs (or unset after {@code --help}, {@code --version} or a probe).
   */
  static int launch(String[] args, PrintStream out, PrintStream err, SignerSidecar[] started) {
    SidecarCommand command = new SidecarCommand();
    command.out = out;
    command.err = err;
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("signer-sidecar: " + ex.getMessage());
          err.print(ex.getCommandLine().getUsageMessage());
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          err.println("signer-sidecar: cannot start: " + ex.getMessage());
          return 1;
        });
    int code = cl.execute(args);
    started[0] = command.started;
    return code;
  }

  /**
   * The builder the arguments describe, without starting anything.
   *
   * @throws IllegalArgumentException with a message fit for the user when an argument is bad
   */
  public static SignerSidecar.Builder parse(String... args) {
    SidecarCommand command = new SidecarCommand();
    try {
      new CommandLine(command).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return command.toBuilder();
  }

  @Override
  public Integer call() {
    if (probe != null) {
      return probe(probe);
    }
    SignerSidecar sidecar;
    try {
      sidecar = toBuilder().build();
    } catch (IllegalArgumentException e) {
      err.println("signer-sidecar: " + e.getMessage());
      err.print(new CommandLine(new SidecarCommand()).getUsageMessage());
      return 2;
    }
    try {
      started = sidecar.start();
      return 0;
    } catch (RuntimeException e) {
      err.println("signer-sidecar: cannot start: " + e.getMessage());
      return 1;
    }
  }

  SignerSidecar.Builder toBuilder() {
    if (keysDir == null) {
      throw new IllegalArgumentException("--keys-dir is required");
    }
    if (keysDir.isBlank()) {
      throw new IllegalArgumentException("--keys-dir needs a directory");
    }
    SignerSidecar.Builder b =
        SignerSidecar.builder().keysDirectory(Path.of(keysDir)).allowNonLoopback(allowNonLoopback);
    for (String l : listen) {
      b.listen(ListenAddress.parse(l));
    }
    if (grace != null) {
      b.grace(parseDuration("--grace", grace));
    }
    if (maxOldKeys != null) {
      b.maxOldKeys(parseInt("--max-old-keys", maxOldKeys));
    }
    if (minKeyBytes != null) {
      b.minKeyBytes(parseInt("--min-key-bytes", minKeyBytes));
    }
    if (maxBodyBytes != null) {
      b.maxBodyBytes(parseInt("--max-body-bytes", maxBodyBytes));
    }
    if (maxBatch != null) {
      b.maxBatch(parseInt("--max-batch", maxBatch));
    }
    if (threads != null) {
      b.threads(parseInt("--threads", threads));
    }
    if (ioThreads != null) {
      b.ioThreads(parseInt("--io-threads", ioThreads));
    }
    if (socketMode != null) {
      b.socketMode(SocketMode.parse(socketMode));
    }
    if (maxConnections != null) {
      b.maxConnections(parseInt("--max-connections", maxConnections));
    }
    if (maxConnectionsPerClient != null) {
      b.maxConnectionsPerClient(parseInt("--max-connections-per-client", maxConnectionsPerClient));
    }
    if (requestTimeout != null) {
      b.requestTimeout(parseDuration("--request-timeout", requestTimeout));
    }
    if (writeTimeout != null) {
      b.writeTimeout(parseDuration("--write-timeout", writeTimeout));
    }
    if (idleTimeout != null) {
      b.idleTimeout(parseDuration("--idle-timeout", idleTimeout));
    }
    if (transport != null) {
      try {
        b.transport(SignerSidecar.Transport.valueOf(transport.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--transport: '" + SignerSidecar.printable(transport) + "' is not auto, nio or epoll");
      }
    }
    return b;
  }

  /** {@code --probe [uri]}: 0 when {@code /v1/health} answers 200, 1 otherwise, 2 for a bad URI. */
  private int probe(String value) {
    SocketAddress address;
    boolean unix;
    String shown = value;
    try {
      URI base = URI.create(value);
      if ("unix".equals(base.getScheme())
          && base.getPath() != null
          && base.getPath().startsWith("/")) {
        address = UnixDomainSocketAddress.of(base.getPath());
        unix = true;
        shown = "unix:" + base.getPath();
      } else if ("http".equals(base.getScheme()) && base.getHost() != null) {
        address = new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort());
        unix = false;
        shown = ("http://" + base.getRawAuthority());
      } else {
        throw new IllegalArgumentException("not an http:// or unix: URI");
      }
    } catch (IllegalArgumentException e) {
      err.println("signer-sidecar: --probe: invalid URI '" + SignerSidecar.printable(value) + "'");
      return 2;
    }
    try {
      String answer = get(address, unix, Duration.ofSeconds(2));
      int status = Integer.parseInt(answer.substring(9, 12));
      int bodyAt = answer.indexOf("\r\n\r\n");
      out.println(
          status
              + " "
              + io.secretsdk.signer.protocol.SignerProtocol.printable(
                  bodyAt < 0 ? "" : answer.substring(bodyAt + 4), 2000));
      return status == 200 ? 0 : 1;
    } catch (IOException | RuntimeException e) {
      err.println(
          "signer-sidecar: --probe: no answer from " + shown + ": " + e.getClass().getSimpleName());
      return 1;
    }
  }

  /** One {@code GET /v1/health} with a close, read to the end within {@code timeout}. */
  private static String get(SocketAddress address, boolean unix, Duration timeout)
      throws IOException {
    byte[] request =
        "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    if (!unix) {
      try (Socket s = new Socket()) {
        s.connect(address, (int) timeout.toMillis());
        s.setSoTimeout((int) timeout.toMillis());
        s.getOutputStream().write(request);
        return new String(readAtMost(s.getInputStream(), 64 * 1024), StandardCharsets.UTF_8);
      }
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // A local socket connects at once or fails; a daemon timer bounds a sidecar that never
      // answers.
      java.nio.channels.Channel toClose = ch;
      Thread timer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(timeout.toMillis());
                  toClose.close();
                } catch (InterruptedException | IOException e) {
                  // Done in time.
                }
              },
              "secretsdk-signer-probe-timeout");
      timer.setDaemon(true);
      timer.start();
      try {
        ch.connect(address);
        ch.write(ByteBuffer.wrap(request));
        return new String(
            readAtMost(Channels.newInputStream(ch), 64 * 1024), StandardCharsets.UTF_8);
      } finally {
        timer.interrupt();
      }
    }
  }

  private static byte[] readAtMost(InputStream in, int max) throws IOException {
    return in.readNBytes(max);
  }

  /**
   * A duration option in secretsdk's one grammar ({@link DurationText}): ISO-8601 ({@code PT24H})
   * or a number with a unit ({@code 500ms}, {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}); a
   * bare number is milliseconds. Never negative.
   */
  static Duration parseDuration(String option, String value) {
    Duration d;
    try {
      d = DurationText.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(
          option + " cannot be negative: " + SignerSidecar.printable(value));
    }
    return d;
  }

  private static int parseInt(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + ": '" + SignerSidecar.printable(value) + "' is not a whole number");
    }
  }

  /** The version from the jar's build, for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = SidecarCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "secretsdk-signer-sidecar " + p.getProperty("version", "unknown"),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
