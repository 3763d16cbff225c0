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
 * SslBundles} and file watcher, once with the default quiet period and once with a short one).
 *
 * <p>Each candidate serves TLS on 127.0.0.1: a plain server socket whose accepted connections are
 * wrapped with the candidate's current {@link SSLContext} (constant for secretsdk, replaced by the
 * bundle update handler for Boot, as Boot's embedded servers do). Each rotation writes a new
 * certificate and key with {@link KubernetesVolumeWriter} (the kubelet's order), then one probe
 * thread per candidate does full handshakes in a loop (sessions are invalidated, never resumed) and
 * timestamps the first that presents the new serial number. A candidate that has not switched after
 * {@code --timeout-s} counts as missed. Latencies are from the start of the write.
 *
 * <pre>{@code
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.TlsRotationHarness \
 *     --rotations 20 --warmup 2 --quiet-periods 10s,100ms --dir /dev/shm --timeout-s 30
 * }</pre>
 *
 * <p>One runnable experiment in one file, like a JMH benchmark: the candidates, the probe and the
 * report side by side, so a reader can check what was measured.
 */
public final class TlsRotationHarness {

  private static final char[] PASSWORD = "changeit".toCharArray();

  /** One TLS server whose context comes from a supplier, and its latencies. */
  private static final class Candidate implements AutoCloseable {
    final String name;
    final Supplier<SSLContext> context;
    final ServerSocket server;
    final Thread acceptor;
    final List<Long> latencies = new ArrayList<>();
    final List<Long> handshakes = java.util.Collections.synchronizedList(new ArrayList<>());
    int missed;
    Runnable resource;

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
          SSLSocket tls =
              (SSLSocket)
                  context
                      .get()
                      .getSocketFactory()
                      .createSocket(plain, "127.0.0.1", plain.getPort(), true);
          tls.setUseClientMode(false);
          tls.setSoTimeout(10_000);
          try (tls) {
            tls.startHandshake();
            tls.getInputStream().read();
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
   *     {@code /dev/shm}), {@code --timeout-s N} (default 30)
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
    System.out.printf(
        Locale.ROOT,
        "# TlsRotationHarness %s, JDK %s, %d CPUs, load average %.2f%n",
        Instant.now(),
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(
        Locale.ROOT,
        "# rotations %d (+%d warm-up), Boot quiet periods %s, volume under %s, timeout %s%n",
        rotations,
        warmup,
        quietPeriods,
        parent,
        timeout);

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
    Map<BigInteger, Long> toldAt = new java.util.concurrent.ConcurrentHashMap<>();
    tls.subscribe(
        (previous, current) -> toldAt.putIfAbsent(current.serialNumber(), System.nanoTime()));
    List<Long> listenerLatencies = new ArrayList<>();
    Candidate ours = new Candidate("secretsdk TlsView.sslContext()", () -> live);
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
      BigInteger first = probe(client, candidate);
      if (!serials.get(0).equals(first)) {
        throw new IllegalStateException(
            candidate.name + " does not serve the first certificate at start: " + first);
      }
    }

    long[] writeTimes = new long[rotations];
    java.util.concurrent.ExecutorService probeThreads =
        java.util.concurrent.Executors.newFixedThreadPool(
            candidates.size(),
            task -> {
              Thread thread = new Thread(task, "tls-bench-probe");
              thread.setDaemon(true);
              return thread;
            });
    for (int r = 1; r <= warmup + rotations; r++) {
      int index = r % poolSize;
      BigInteger expected = serials.get(index);
      long start = System.nanoTime();
      writer.writeStrings(files(pool.get(index)));
      long written = System.nanoTime();
      // One probe thread per candidate, all started together: each candidate's figure is limited
      // by its own handshakes only, not by probing the others in between.
      boolean[] seen = new boolean[candidates.size()];
      long[] seenAt = new long[candidates.size()];
      List<java.util.concurrent.Future<?>> probes = new ArrayList<>();
      long deadline = start + timeout.toNanos();
      for (int c = 0; c < candidates.size(); c++) {
        int index0 = c;
        probes.add(
            probeThreads.submit(
                () -> {
                  while (System.nanoTime() < deadline) {
                    long before = System.nanoTime();
                    BigInteger serial = probe(client, candidates.get(index0));
                    candidates.get(index0).handshakes.add(System.nanoTime() - before);
                    if (expected.equals(serial)) {
                      seenAt[index0] = System.nanoTime();
                      seen[index0] = true;
                      return;
                    }
                  }
                }));
      }
      for (java.util.concurrent.Future<?> probe : probes) {
        probe.get();
      }
      Long told = toldAt.remove(expected);
      if (r > warmup) {
        for (int c = 0; c < candidates.size(); c++) {
          if (seen[c]) {
            candidates.get(c).latencies.add(seenAt[c] - start);
          }
        }
        if (told != null) {
          listenerLatencies.add(told - start);
        }
      }
      if (r > warmup) {
        writeTimes[r - warmup - 1] = written - start;
        for (int c = 0; c < candidates.size(); c++) {
          if (!seen[c]) {
            candidates.get(c).missed++;
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "rotation %d%s: %s%n",
          r,
          r <= warmup ? " (warm-up)" : "",
          describe(candidates, seen));
    }

    System.out.printf(
        Locale.ROOT,
        "%n# load average at the end %.2f; write() p50 %s ms%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        ms(percentile(writeTimes, 0.50)));
    System.out.println(
        "| candidate | rotations | switched | missed (not within timeout) | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Candidate candidate : candidates) {
      long[] values = candidate.latencies.stream().mapToLong(Long::longValue).toArray();
      String stats =
          values.length == 0
              ? "– | – | –"
              : ms(percentile(values, 0.50))
                  + " | "
                  + ms(percentile(values, 0.99))
                  + " | "
                  + ms(percentile(values, 1.0));
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d | %s |%n",
          candidate.name,
          rotations,
          values.length,
          candidate.missed,
          stats);
    }
    long[] told = listenerLatencies.stream().mapToLong(Long::longValue).toArray();
    if (told.length > 0) {
      System.out.printf(
          Locale.ROOT,
          "# secretsdk view listener told of the new certificate (no handshake): p50 %s / p99 %s / max %s ms over %d rotations%n",
          ms(percentile(told, 0.50)),
          ms(percentile(told, 0.99)),
          ms(percentile(told, 1.0)),
          told.length);
    }
    for (Candidate candidate : candidates) {
      long[] handshakes = candidate.handshakes.stream().mapToLong(Long::longValue).toArray();
      System.out.printf(
          Locale.ROOT,
          "# probe handshake duration, %s: p50 %s / p99 %s ms over %d handshakes%n",
          candidate.name,
          ms(percentile(handshakes, 0.50)),
          ms(percentile(handshakes, 0.99)),
          handshakes.length);
    }
    System.out.println("# secretsdk view health: " + tls.health());
    probeThreads.shutdownNow();
    for (Candidate candidate : candidates) {
      candidate.close();
    }
    writer.deleteVolume();
    Files.walk(work).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
  }

  private static String describe(List<Candidate> candidates, boolean[] seen) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < candidates.size(); c++) {
      Candidate candidate = candidates.get(c);
      sb.append(candidate.name).append(' ');
      if (!seen[c]) {
        sb.append("MISSED");
      } else if (!candidate.latencies.isEmpty()) {
        sb.append(ms(candidate.latencies.get(candidate.latencies.size() - 1))).append(" ms");
      } else {
        sb.append("ok");
      }
      sb.append("; ");
    }
    return sb.toString();
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
    bundles.addBundleUpdateHandler("bench", bundle -> current[0] = bundle.createSslContext());
    Candidate candidate =
        new Candidate(
            "Spring Boot PEM bundle, reload-on-update, quiet-period " + quietPeriod,
            new Supplier<SSLContext>() {
              @Override
              public synchronized SSLContext get() {
                return current[0];
              }
            });
    candidate.resource = context::close;
    return candidate;
  }

  /** Boot's SSL auto-configuration alone: properties, SslBundles, file watcher. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SslAutoConfiguration.class)
  static class BootSsl {}

  /** A full handshake (no resumption) and the serial number the server presented, or null. */
  private static BigInteger probe(SSLContext client, Candidate candidate) {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate.server.getLocalPort()),
          10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      BigInteger serial =
          ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      socket.getSession().invalidate();
      return serial;
    } catch (IOException e) {
      return null;
    }
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
