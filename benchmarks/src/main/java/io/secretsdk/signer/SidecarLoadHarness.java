package io.secretsdk.signer;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.sidecar.ListenAddress;
import io.secretsdk.signer.sidecar.SignerSidecar;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The signer sidecar's transports side by side in one run, next to the local signer: each candidate
 * server (the previous JDK {@code HttpServer}, the product's Netty server on NIO and on epoll) with
 * each client (the previous JDK {@code HttpClient}, the product's {@code Signer.sidecar} client
 * over TCP loopback and over a Unix domain socket), for single {@code sign} requests and {@code
 * signBatch} requests (100 messages of 64 bytes), from 1 and 4 client threads sharing one client.
 * Every server runs in this JVM on 127.0.0.1 / a socket in a temporary directory, over a
 * kubelet-style keys volume on {@code /dev/shm}; client and server share this machine's CPUs, as an
 * application and its sidecar share a pod's node. Configurations are interleaved (for each mode and
 * thread count every pair runs in turn), so a burst of other load hits them alike.
 *
 * <p>Run (after {@code ./mvnw -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.signer.SidecarLoadHarness
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.signer.SidecarLoadHarness \
 *     --threads 1,4 --batch 100 --warmup-s 2 --duration-s 4 --pairs all
 * </pre>
 *
 * <p>Throughput counts signatures (a batch of 100 counts 100), latency is per request. CPU time per
 * request is the whole process's (client, server and GC together) and the calling threads' own over
 * the same window, plus a breakdown by thread group; CPU per request moves much less with other
 * load than throughput does. Targets (issue 10): 4 client threads at least 25,000 single
 * signatures/s, p99 at most 1 ms, at most 60 µs process CPU per request over TCP, a Unix socket at
 * least as good, batches at least 1,000,000 signatures/s, local signing at least 3,000,000/s per
 * core. Prints figures only; asserts nothing. Run it as a program.
 *
 * <p>One runnable experiment in one file, like a JMH benchmark: the candidates, the probe and the
 * report side by side, so a reader can check what was measured.
 */
public final class SidecarLoadHarness {

  private static final String KEY = LocalSignBenchmark.KEY;
  private static final StringBuilder cpuNotes = new StringBuilder();
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private SidecarLoadHarness() {}

  /** A server and client pairing. */
  private static final class Pair {
    final String name;
    final Signer client;

    Pair(String name, Signer client) {
      this.name = name;
      this.client = client;
    }
  }

  /**
   * Runs every configuration and prints a table.
   *
   * @param args {@code --threads 1,4}, {@code --batch 100}, {@code --warmup-s 2}, {@code
   *     --duration-s 4}, {@code --pairs all} (or a comma-separated list of pair-name fragments)
   */
  public static void main(String[] args) throws Exception {
    // The JDK server reads this once, when it first loads: the baseline needs it (this is the
    // benchmark's own main, not a library).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int[] threads =
        Arrays.stream(opts.getOrDefault("threads", "1,4").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int batch = Integer.parseInt(opts.getOrDefault("batch", "100"));
    long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("warmup-s", "2")));
    long durationNanos =
        TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("duration-s", "4")));
    String pairFilter = opts.getOrDefault("pairs", "all");

    Path shm = Path.of("/dev/shm");
    Path keys =
        Files.createTempDirectory(
            Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "secretsdk-signer-keys-");
    Path sockets = Files.createTempDirectory("secretsdk-signer-sock-");
    byte[] key = new byte[32];
    ThreadLocalRandom.current().nextBytes(key);
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(keys);
    writer.write(Map.of(KEY, key));

    System.out.printf(
        Locale.ROOT,
        "# SidecarLoadHarness %s, JDK %s, %d CPUs, load average at start %.2f%n%n",
        Instant.now(),
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    List<AutoCloseable> resources = new ArrayList<>();
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer local = Signer.local(store)) {
      JdkHttpServerBaseline jdk = new JdkHttpServerBaseline(Signer.local(store), 4);
      resources.add(jdk);
      SignerSidecar nio =
          SignerSidecar.builder()
              .store(store)
              .port(0)
              .listen(ListenAddress.unix(sockets.resolve("nio.sock")))
              .transport(SignerSidecar.Transport.NIO)
              .build()
              .start();
      resources.add(nio);
      SignerSidecar epoll =
          SignerSidecar.builder()
              .store(store)
              .port(0)
              .listen(ListenAddress.unix(sockets.resolve("epoll.sock")))
              .transport(SignerSidecar.Transport.EPOLL)
              .build()
              .start();
      resources.add(epoll);
      List<Pair> pairs = new ArrayList<>();
      pairs.add(
          new Pair(
              "JDK HttpServer + JDK HttpClient, TCP (previous)",
              new JdkHttpClientSigner(jdk.uri())));
      pairs.add(
          new Pair("JDK HttpServer + sidecar client, TCP", Signer.sidecar(URI.create(jdk.uri()))));
      pairs.add(
          new Pair(
              "Netty NIO + JDK HttpClient, TCP",
              new JdkHttpClientSigner(nio.uris().get(0).toString())));
      pairs.add(new Pair("Netty NIO + sidecar client, TCP", Signer.sidecar(nio.uris().get(0))));
      pairs.add(new Pair("Netty NIO + sidecar client, UDS", Signer.sidecar(nio.uris().get(1))));
      pairs.add(new Pair("Netty epoll + sidecar client, TCP", Signer.sidecar(epoll.uris().get(0))));
      pairs.add(new Pair("Netty epoll + sidecar client, UDS", Signer.sidecar(epoll.uris().get(1))));
      if (!pairFilter.equals("all")) {
        List<String> wanted = Arrays.asList(pairFilter.split(","));
        pairs.removeIf(
            p ->
                wanted.stream()
                    .noneMatch(
                        w -> p.name.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT))));
      }
      byte[] probe = new byte[64];
      String expected = local.sign(KEY, probe);
      for (Pair p : pairs) {
        resources.add(p.client);
        if (!p.client.sign(KEY, probe).equals(expected)) {
          throw new IllegalStateException(p.name + " signs differently from the local signer");
        }
      }
      System.out.println("Every pair's signature equals the local signer's.");
      System.out.println();
      interleavedFloor(local, key);
      System.out.println(
          "| pair | mode | client threads | signatures/s | requests/s | request latency p50 / p99 / max (ms) | process CPU µs / request | calling threads' CPU µs / request | errors |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      for (int n : threads) {
        run("local signer", "local sign", n, 1, false, local, warmupNanos, durationNanos);
      }
      for (int size : new int[] {1, batch}) {
        for (int n : threads) {
          for (Pair p : pairs) {
            run(
                p.name,
                size == 1 ? "single" : "batch of " + size,
                n,
                size,
                true,
                p.client,
                warmupNanos,
                durationNanos);
          }
        }
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Load average at end: %.2f%n%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.print(cpuNotes);
    } finally {
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
      writer.deleteVolume();
    }
  }

  private static void run(
      String pair,
      String mode,
      int threads,
      int batch,
      boolean timeEach,
      Signer signer,
      long warmupNanos,
      long durationNanos)
      throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    long[][] latencies = new long[threads][];
    int[] latencyCounts = new int[threads];
    long[] requests = new long[threads];
    long[] errors = new long[threads];
    long[] callerCpu = new long[threads];
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread worker =
          new Thread(
              () -> {
                byte[] message = new byte[64];
                ThreadLocalRandom.current().nextBytes(message);
                List<byte[]> messages = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                  byte[] m = new byte[64];
                  ThreadLocalRandom.current().nextBytes(m);
                  messages.add(m);
                }
                long[] lat = new long[1 << 16];
                int count = 0;
                long req = 0;
                long err = 0;
                long cpuAtStart = -1;
                long cpuAtEnd = -1;
                while (!stop.get()) {
                  boolean counted = measuring.get();
                  if (counted && cpuAtStart < 0) {
                    cpuAtStart = THREADS.getCurrentThreadCpuTime();
                  } else if (!counted && cpuAtStart >= 0 && cpuAtEnd < 0) {
                    cpuAtEnd = THREADS.getCurrentThreadCpuTime();
                  }
                  long start = timeEach ? System.nanoTime() : 0;
                  try {
                    if (batch == 1) {
                      signer.sign(KEY, message);
                    } else {
                      signer.signBatch(KEY, messages);
                    }
                  } catch (RuntimeException e) {
                    if (counted) {
                      err++;
                    }
                    continue;
                  }
                  if (counted) {
                    req++;
                    if (timeEach) {
                      if (count == lat.length) {
                        lat = Arrays.copyOf(lat, lat.length * 2);
                      }
                      lat[count++] = System.nanoTime() - start;
                    }
                  }
                }
                callerCpu[me] =
                    cpuAtStart < 0
                        ? 0
                        : (cpuAtEnd < 0 ? THREADS.getCurrentThreadCpuTime() : cpuAtEnd)
                            - cpuAtStart;
                latencies[me] = lat;
                latencyCounts[me] = count;
                requests[me] = req;
                errors[me] = err;
                done.countDown();
              },
              "sign-client-" + t);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    TimeUnit.NANOSECONDS.sleep(warmupNanos);
    Map<Long, Long> threadCpuBefore = threadCpu();
    long cpuBefore = OS.getProcessCpuTime();
    measuring.set(true);
    long began = System.nanoTime();
    TimeUnit.NANOSECONDS.sleep(durationNanos);
    measuring.set(false);
    long elapsed = System.nanoTime() - began;
    long processCpu = OS.getProcessCpuTime() - cpuBefore;
    Map<String, Long> byGroup = cpuByThreadGroup(threadCpuBefore);
    stop.set(true);
    done.await(30, TimeUnit.SECONDS);

    long totalRequests = Arrays.stream(requests).sum();
    long totalErrors = Arrays.stream(errors).sum();
    int totalLat = Arrays.stream(latencyCounts).sum();
    long[] all = new long[totalLat];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(latencies[t], 0, all, at, latencyCounts[t]);
      at += latencyCounts[t];
    }
    Arrays.sort(all);
    double seconds = elapsed / 1e9;
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %d | %,.0f | %,.0f | %s | %.1f | %.1f | %d |%n",
        pair,
        mode,
        threads,
        totalRequests * (double) batch / seconds,
        totalRequests / seconds,
        all.length == 0
            ? "-"
            : ms(pct(all, 0.50)) + " / " + ms(pct(all, 0.99)) + " / " + ms(all[all.length - 1]),
        processCpu / 1e3 / Math.max(1, totalRequests),
        Arrays.stream(callerCpu).sum() / 1e3 / Math.max(1, totalRequests),
        totalErrors);
    long perRequest = Math.max(1, totalRequests);
    StringBuilder where = new StringBuilder();
    byGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(6)
        .forEach(
            e ->
                where
                    .append(where.length() == 0 ? "" : ", ")
                    .append(
                        String.format(
                            Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 1e3 / perRequest)));
    cpuNotes.append(
        String.format(
            Locale.ROOT,
            "- %s, %s, %d client threads: CPU µs per request by thread: %s%n",
            pair,
            mode,
            threads,
            where));
  }

  /**
   * Local signing against its floor (a reused {@code Mac}), alternating in 200 ms windows on one
   * thread for 20 rounds so bursts of other load hit both alike; cost is the thread's own CPU time
   * per operation, which being descheduled does not inflate.
   */
  private static void interleavedFloor(Signer local, byte[] key) throws Exception {
    byte[] message = new byte[64];
    ThreadLocalRandom.current().nextBytes(message);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    java.util.Base64.Encoder base64 = java.util.Base64.getUrlEncoder().withoutPadding();
    Runnable[] ops = {
      () -> sink(local.sign(KEY, message)),
      () -> sink(mac.doFinal(message)),
      () -> sink(base64.encodeToString(mac.doFinal(message)))
    };
    String[] names = {"Signer.local sign", "reused Mac, raw bytes", "reused Mac + base64url"};
    int rounds = 20;
    double[][] cpuPerOp = new double[ops.length][rounds];
    double[][] wallPerOp = new double[ops.length][rounds];
    for (int warm = 0; warm < 3; warm++) {
      for (Runnable op : ops) {
        window(op, TimeUnit.MILLISECONDS.toNanos(300));
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (int o = 0; o < ops.length; o++) {
        double[] w = window(ops[o], TimeUnit.MILLISECONDS.toNanos(200));
        cpuPerOp[o][r] = w[0];
        wallPerOp[o][r] = w[1];
      }
    }
    System.out.println(
        "Local signing vs its floor, one thread, 64-byte messages, "
            + rounds
            + " interleaved 200 ms rounds (medians):");
    System.out.println();
    System.out.println(
        "| operation | thread CPU ns / op | wall ns / op | CPU ratio to Signer.local | implied ops/s per core (CPU) |");
    System.out.println("|---|---|---|---|---|");
    double signCpu = median(cpuPerOp[0]);
    for (int o = 0; o < ops.length; o++) {
      double cpu = median(cpuPerOp[o]);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %.0f | %.2f | %,.0f |%n",
          names[o],
          cpu,
          median(wallPerOp[o]),
          cpu / signCpu,
          1e9 / cpu);
    }
    System.out.println();
  }

  /** Runs {@code op} for about {@code nanos}; returns thread CPU ns per op and wall ns per op. */
  private static double[] window(Runnable op, long nanos) {
    long ops = 0;
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    long end = wall0 + nanos;
    do {
      for (int i = 0; i < 256; i++) {
        op.run();
      }
      ops += 256;
    } while (System.nanoTime() < end);
    long wall = System.nanoTime() - wall0;
    long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
    return new double[] {cpu / (double) ops, wall / (double) ops};
  }

  private static volatile int sinkHole;

  private static void sink(Object o) {
    // Cheap and the same for every operation: keeps the result alive without hashing it.
    sinkHole += o instanceof String str ? str.length() : ((byte[]) o).length;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** CPU time of every live thread, by id. */
  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new java.util.HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long t = THREADS.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  /**
   * CPU spent since {@code before} by live threads, grouped by name with digits replaced by {@code
   * N}; threads that ended inside the window are missed (an undercount).
   */
  private static Map<String, Long> cpuByThreadGroup(Map<Long, Long> before) {
    Map<String, Long> groups = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long now = THREADS.getThreadCpuTime(info.getThreadId());
      if (now < 0) {
        continue;
      }
      long delta = now - before.getOrDefault(info.getThreadId(), 0L);
      groups.merge(info.getThreadName().replaceAll("[0-9]+", "N"), delta, Long::sum);
    }
    return groups;
  }

  private static long pct(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  // Keeps start-up INFO lines of the store and sidecar out of the table; held so they stay set.
  private static final java.util.logging.Logger SECRETSDK_LOG =
      java.util.logging.Logger.getLogger("io.secretsdk");

  static {
    SECRETSDK_LOG.setLevel(java.util.logging.Level.WARNING);
  }
}
