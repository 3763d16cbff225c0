package io.secretsdk;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * "Rotation → a new handshake presents the new certificate", for secretsdk's live {@link
 * TlsView#sslContext()} and, in the same run on the same kubelet volume, Spring Boot 4.0.8's PEM
 * SSL bundle with {@code reload-on-update=true} (its {@code SslAutoConfiguration}, {@code
 * SslBundles} and file watcher, once per {@code --quiet-periods} value).
 *
 * <p>Each candidate serves TLS on 127.0.0.1 the same way: a plain server socket whose accepted
 * connections are wrapped with the candidate's current {@link SSLContext} (constant for secretsdk,
 * replaced by the bundle update handler for Boot, as Boot's embedded servers do). Every probe is
 * the same full handshake from the same client context ({@link #probe}: no SNI, default protocols
 * and suites, session invalidated, no session ticket read, so never resumed).
 *
 * <ol>
 *   <li><b>Bare handshake</b>: no rotation; one probe thread visits the candidates in turn
 *       (alternating the order), {@code --handshakes} times each, so every candidate's handshake is
 *       timed under the same load; the serving thread's CPU time per connection is recorded too,
 *       which the load of a shared machine disturbs much less than wall time.
 *   <li><b>Rotations</b>: each rotation writes a new certificate and key with {@link
 *       KubernetesVolumeWriter} (the kubelet's order) and is measured for ONE candidate, whose
 *       probe alone does full handshakes in a loop until one presents the new serial number
 *       (latency from the start of the write; not switched after {@code --timeout-s}: missed).
 *       Before the next write every candidate has loaded the generation (secretsdk's view listener,
 *       Boot's bundle update handler) and {@code --settle-ms} have passed, so no candidate's probe
 *       or reload runs during another's measurement. Also recorded: when the candidate was told
 *       (listener or update handler), the handshakes during its rotations and how many a rotation
 *       needed.
 * </ol>
 *
 * <pre>{@code
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.TlsRotationHarness \
 *     --rotations 30 --warmup 3 --quiet-periods 100ms --handshakes 200 --dir /dev/shm
 * }</pre>
 *
 * <p>One runnable experiment in one file, like a JMH benchmark: the candidates, the probe and the
 * report side by side, so a reader can check what was measured.
 */
public final class TlsRotationHarness {

  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final java.lang.management.ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean();

  /** One TLS server whose context comes from a supplier, and its latencies. */
  private static final class Candidate implements AutoCloseable {
    final String name;
    final Supplier<SSLContext> context;
    final ServerSocket server;
    final Thread acceptor;
    final List<Long> latencies = new ArrayList<>();
    final List<Long> toldLatencies = new ArrayList<>();
    final List<Long> bare = new ArrayList<>();
    final List<Long> rotationHandshakes = new ArrayList<>();
    final List<Long> handshakesPerRotation = new ArrayList<>();
    final java.util.Set<String> negotiated = new java.util.TreeSet<>();
    // CPU time of the serving thread per connection (handshake, close), during the bare phase.
    final List<Long> serverCpu = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile boolean measuringCpu;
    // Serial number -> when the candidate was told of it (its listener or update handler ran).
    final Map<BigInteger, Long> told = new java.util.concurrent.ConcurrentHashMap<>();
    int missed;
    Runnable resource;

    void told(BigInteger serial) {
      told.putIfAbsent(serial, System.nanoTime());
    }

    Long toldAt(BigInteger serial) {
      return told.remove(serial);
    }

    void awaitTold(BigInteger serial, long deadline) throws InterruptedException {
      while (!told.containsKey(serial) && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
    }

    Candidate(String name, Supplier<SSLContext> context) throws IOException {
      this.name = name;
      this.context = context;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = new Thread(this::serve, "tls-bench-" + name);
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket plain = server.accept()) {
          // As Tomcat and Netty do by default: no Nagle delay on handshake records.
          plain.setTcpNoDelay(true);
          SSLSocket tls =
              (SSLSocket)
                  context
                      .get()
                      .getSocketFactory()
                      .createSocket(plain, "127.0.0.1", plain.getPort(), true);
          tls.setUseClientMode(false);
          tls.setSoTimeout(10_000);
          long cpu = THREADS.getCurrentThreadCpuTime();
          try (tls) {
            tls.startHandshake();
            tls.getInputStream().read();
          }
          if (measuringCpu) {
            serverCpu.add(THREADS.getCurrentThreadCpuTime() - cpu);
          }
        } catch (IOException e) {
          // A failed handshake or a closing server: the probe sees it.
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      if (resource != null) {
        resource.run();
      }
    }
  }

  private TlsRotationHarness() {}

  /**
   * Runs the comparison and prints the results.
   *
   * @param args {@code --rotations N} (default 20), {@code --warmup N} (default 2), {@code
   *     --quiet-periods a,b} (Boot's {@code spring.ssl.bundle.watch.file.quiet-period}, one Boot
   *     candidate each; default {@code 10s,100ms}), {@code --dir D} (parent of the volume, default
   *     {@code /dev/shm}), {@code --timeout-s N} (default 30), {@code --handshakes N} (bare
   *     handshakes per candidate, default 200), {@code --settle-ms N} (pause between rotations,
   *     default 200)
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int rotations = Integer.parseInt(opts.getOrDefault("rotations", "20"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "2"));
    List<String> quietPeriods =
        Arrays.asList(opts.getOrDefault("quiet-periods", "10s,100ms").split(","));
    Path parent = Path.of(opts.getOrDefault("dir", "/dev/shm"));
    Duration timeout = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("timeout-s", "30")));
    int handshakes = Integer.parseInt(opts.getOrDefault("handshakes", "200"));
    Duration settle = Duration.ofMillis(Long.parseLong(opts.getOrDefault("settle-ms", "200")));
    System.out.printf(
        Locale.ROOT,
        "# TlsRotationHarness %s, JDK %s, %d CPUs, load average %.2f%n",
        Instant.now(),
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(
        Locale.ROOT,
        "# rotations %d (+%d warm-up) per candidate, Boot quiet periods %s, volume under %s,"
            + " timeout %s, bare handshakes %d per candidate, settle %s%n",
        rotations,
        warmup,
        quietPeriods,
        parent,
        timeout,
        handshakes,
        settle);

    Path work = Files.createTempDirectory(parent, "secretsdk-tls-bench-");
    int poolSize = 6;
    List<Map<String, String>> pool = certificatePool(work, poolSize);
    List<BigInteger> serials = new ArrayList<>();
    for (Map<String, String> generation : pool) {
      serials.add(new BigInteger(generation.get("serial")));
    }
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(work.resolve("tls"));
    writer.writeStrings(files(pool.get(0)));

    List<Candidate> candidates = new ArrayList<>();
    SecretStore store = SecretStore.builder().mount(writer.volume()).build();
    TlsView tls = TlsView.of(store);
    SSLContext live = tls.sslContext();
    Candidate ours = new Candidate("secretsdk TlsView.sslContext()", () -> live);
    tls.subscribe((previous, current) -> ours.told(current.serialNumber()));
    ours.resource =
        () -> {
          tls.close();
          store.close();
        };
    candidates.add(ours);
    for (String quiet : quietPeriods) {
      candidates.add(boot(writer.volume(), quiet));
    }

    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, new TrustManager[] {new TrustingEveryone()}, null);
    for (Candidate candidate : candidates) {
      Probe first = probe(client, candidate);
      if (first == null || !serials.get(0).equals(first.serial())) {
        throw new IllegalStateException(
            candidate.name + " does not serve the first certificate at start");
      }
    }

    // Phase 1: the bare handshake, no rotation. One probe thread visits the candidates in turn, so
    // each candidate's handshakes run under the same conditions.
    for (int i = 0; i < handshakes / 4; i++) {
      for (Candidate candidate : candidates) {
        probe(client, candidate);
      }
    }
    candidates.forEach(candidate -> candidate.measuringCpu = true);
    for (int i = 0; i < handshakes; i++) {
      // Alternate the order, so neither candidate always follows the other's connection teardown.
      List<Candidate> order = new ArrayList<>(candidates);
      if (i % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (Candidate candidate : order) {
        Probe probe = probe(client, candidate);
        if (probe != null) {
          candidate.bare.add(probe.nanos());
          candidate.negotiated.add(probe.protocol() + " " + probe.cipherSuite());
        }
      }
    }

    Thread.sleep(100); // the last connections' teardown
    candidates.forEach(candidate -> candidate.measuringCpu = false);

    // Phase 2: rotations. Each rotation is measured for ONE candidate: only its probe runs, and the
    // next rotation starts only once every candidate has loaded the generation and the machine has
    // settled, so no candidate's probe or reload competes with another's measurement.
    long[] writeTimes = new long[rotations * candidates.size()];
    int measured = 0;
    int generation = 0;
    for (int r = 1; r <= warmup + rotations; r++) {
      for (int c = 0; c < candidates.size(); c++) {
        Candidate candidate = candidates.get(c);
        generation++;
        int index = generation % poolSize;
        BigInteger expected = serials.get(index);
        for (Candidate other : candidates) {
          other.told.remove(expected); // the pool cycles: forget when this serial was last told
        }
        long start = System.nanoTime();
        writer.writeStrings(files(pool.get(index)));
        long written = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Long seenAt = null;
        List<Long> durations = new ArrayList<>();
        while (System.nanoTime() < deadline) {
          Probe probe = probe(client, candidate);
          if (probe == null) {
            continue;
          }
          durations.add(probe.nanos());
          if (expected.equals(probe.serial())) {
            seenAt = System.nanoTime();
            break;
          }
        }
        // Every candidate loads the generation (Boot after its quiet period) before the next write.
        for (Candidate other : candidates) {
          other.awaitTold(expected, deadline);
        }
        Thread.sleep(settle.toMillis());
        boolean counted = r > warmup;
        if (counted) {
          writeTimes[measured++] = written - start;
          candidate.rotationHandshakes.addAll(durations);
          candidate.handshakesPerRotation.add((long) durations.size());
          if (seenAt == null) {
            candidate.missed++;
          } else {
            candidate.latencies.add(seenAt - start);
          }
          Long told = candidate.toldAt(expected);
          if (told != null) {
            candidate.toldLatencies.add(told - start);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "rotation %d%s, %s: %s%n",
            r,
            counted ? "" : " (warm-up)",
            candidate.name,
            seenAt == null
                ? "MISSED"
                : ms(seenAt - start) + " ms, " + durations.size() + " handshakes");
      }
    }

    System.out.printf(
        Locale.ROOT,
        "%n# load average at the end %.2f; write() p50 %s ms%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        ms(percentile(writeTimes, 0.50)));
    System.out.println(
        "%n## swap -> first new handshake presenting the new certificate (from the start of the write)"
            .formatted());
    System.out.println("| candidate | rotations | switched | missed | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Candidate candidate : candidates) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d | %s |%n",
          candidate.name,
          rotations,
          candidate.latencies.size(),
          candidate.missed,
          stats(candidate.latencies));
    }
    System.out.println(
        "%n## swap -> candidate told of the new certificate (secretsdk: view listener; Boot: bundle update handler), no handshake"
            .formatted());
    System.out.println("| candidate | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|");
    for (Candidate candidate : candidates) {
      System.out.printf(
          Locale.ROOT, "| %s | %s |%n", candidate.name, stats(candidate.toldLatencies));
    }
    System.out.printf(
        Locale.ROOT,
        "%n## bare full handshake, no rotation (%d per candidate, interleaved, one probe thread)%n",
        handshakes);
    System.out.println(
        "| candidate | p50 ms | p99 ms | max ms | server CPU per handshake p50 / p99 ms | during its rotations p50 / p99 / max ms | handshakes per rotation p50 / max | negotiated |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (Candidate candidate : candidates) {
      List<Long> perRotation = candidate.handshakesPerRotation;
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s / %s | %s | %s / %s | %s |%n",
          candidate.name,
          stats(candidate.bare),
          ms(percentileOf(candidate.serverCpu, 0.50)),
          ms(percentileOf(candidate.serverCpu, 0.99)),
          stats(candidate.rotationHandshakes).replace(" | ", " / "),
          perRotation.isEmpty() ? "–" : percentileOf(perRotation, 0.50),
          perRotation.isEmpty() ? "–" : percentileOf(perRotation, 1.0),
          String.join(", ", candidate.negotiated));
    }
    System.out.println("# secretsdk view health: " + tls.health());
    for (Candidate candidate : candidates) {
      candidate.close();
    }
    writer.deleteVolume();
    Files.walk(work).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
  }

  private static String stats(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "– | – | –";
    }
    long[] values = nanos.stream().mapToLong(Long::longValue).toArray();
    return ms(percentile(values, 0.50))
        + " | "
        + ms(percentile(values, 0.99))
        + " | "
        + ms(percentile(values, 1.0));
  }

  private static long percentileOf(List<Long> values, double p) {
    return percentile(values.stream().mapToLong(Long::longValue).toArray(), p);
  }

  /** Spring Boot's PEM bundle with reload-on-update, in a minimal non-web application. */
  private static Candidate boot(Path volume, String quietPeriod) throws IOException {
    SpringApplication application = new SpringApplication(BootSsl.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
    application.setLogStartupInfo(false);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put(
        "spring.ssl.bundle.pem.bench.keystore.certificate", "file:" + volume.resolve("tls.crt"));
    properties.put(
        "spring.ssl.bundle.pem.bench.keystore.private-key", "file:" + volume.resolve("tls.key"));
    properties.put("spring.ssl.bundle.pem.bench.reload-on-update", "true");
    properties.put("spring.ssl.bundle.watch.file.quiet-period", quietPeriod);
    // Boot resets java.util.logging levels; keep secretsdk's per-install INFO lines out of the
    // table.
    properties.put("logging.level.io.secretsdk", "WARN");
    application.setDefaultProperties(properties);
    ConfigurableApplicationContext context = application.run();
    SslBundles bundles = context.getBean(SslBundles.class);
    SSLContext[] current = {bundles.getBundle("bench").createSslContext()};
    Candidate[] self = new Candidate[1];
    bundles.addBundleUpdateHandler(
        "bench",
        bundle -> {
          current[0] = bundle.createSslContext();
          self[0].told(leafSerial(bundle));
        });
    Candidate candidate =
        new Candidate(
            "Spring Boot PEM bundle, reload-on-update, quiet-period " + quietPeriod,
            new Supplier<SSLContext>() {
              @Override
              public synchronized SSLContext get() {
                return current[0];
              }
            });
    self[0] = candidate;
    candidate.resource = context::close;
    return candidate;
  }

  private static BigInteger leafSerial(org.springframework.boot.ssl.SslBundle bundle) {
    try {
      KeyStore keyStore = bundle.getStores().getKeyStore();
      for (String alias : java.util.Collections.list(keyStore.aliases())) {
        if (keyStore.getCertificate(alias) instanceof X509Certificate certificate) {
          return certificate.getSerialNumber();
        }
      }
      return null;
    } catch (java.security.KeyStoreException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Boot's SSL auto-configuration alone: properties, SslBundles, file watcher. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SslAutoConfiguration.class)
  static class BootSsl {}

  /** What one probe saw: duration, the leaf's serial number, protocol and cipher suite. */
  private record Probe(long nanos, BigInteger serial, String protocol, String cipherSuite) {}

  /**
   * One full handshake, the same for every candidate: a new TCP connection to 127.0.0.1 (connected
   * by address, so no SNI), the JDK's default protocols and cipher suites (TLS 1.3 with the
   * candidates' EC P-256 certificate), then the session is invalidated and the socket closed
   * without reading, so the client never processes a session ticket and never resumes. Timed from
   * before the connect to after the close. Null when the handshake failed.
   */
  private static Probe probe(SSLContext client, Candidate candidate) {
    long before = System.nanoTime();
    BigInteger serial;
    String protocol;
    String suite;
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate.server.getLocalPort()),
          10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      javax.net.ssl.SSLSession session = socket.getSession();
      serial = ((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber();
      protocol = session.getProtocol();
      suite = session.getCipherSuite();
      session.invalidate();
    } catch (IOException e) {
      return null;
    }
    return new Probe(System.nanoTime() - before, serial, protocol, suite);
  }

  /**
   * Certificates made with the JDK's keytool (one self-signed EC P-256 certificate per generation).
   */
  private static List<Map<String, String>> certificatePool(Path work, int size) throws Exception {
    Path keystore = work.resolve("pool.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    for (int i = 0; i < size; i++) {
      Process process =
          new ProcessBuilder(
                  keytool,
                  "-genkeypair",
                  "-alias",
                  "gen" + i,
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "san=ip:127.0.0.1",
                  "-validity",
                  "30",
                  "-keystore",
                  keystore.toString(),
                  "-storetype",
                  "PKCS12",
                  "-storepass",
                  new String(PASSWORD),
                  "-keypass",
                  new String(PASSWORD))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed for generation " + i);
      }
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD);
    }
    List<Map<String, String>> pool = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      X509Certificate certificate = (X509Certificate) store.getCertificate("gen" + i);
      PrivateKey key = (PrivateKey) store.getKey("gen" + i, PASSWORD);
      pool.add(
          Map.of(
              "tls.crt",
              pem("CERTIFICATE", certificate.getEncoded()),
              "tls.key",
              pem("PRIVATE KEY", key.getEncoded()),
              "serial",
              certificate.getSerialNumber().toString()));
    }
    Files.delete(keystore);
    return pool;
  }

  private static Map<String, String> files(Map<String, String> generation) {
    return Map.of("tls.crt", generation.get("tls.crt"), "tls.key", generation.get("tls.key"));
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  private static long percentile(long[] values, double p) {
    long[] v = values.clone();
    Arrays.sort(v);
    int index = (int) Math.ceil(p * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, index))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** The probe only reads the serial number; loopback only. */
  private static final class TrustingEveryone implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static final java.util.logging.Logger STORE_LOG =
      java.util.logging.Logger.getLogger("io.secretsdk");

  static {
    STORE_LOG.setLevel(java.util.logging.Level.WARNING);
  }
}
