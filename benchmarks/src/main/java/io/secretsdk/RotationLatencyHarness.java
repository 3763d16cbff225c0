package io.secretsdk;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.boot.env.ConfigTreePropertySource.Option;

/**
 * Measures how long a kubelet-style rotation of a mounted Secret takes to become visible, and how
 * many mixed username/password pairs a concurrent reader sees while the volume rotates, for
 * secretsdk and for the two peers that read the same directory layout: Spring Boot's {@code
 * ConfigTreePropertySource} (what {@code spring.config.import=configtree:} creates) and SmallRye's
 * {@code FileSystemConfigSource}.
 *
 * <p>Run it (after {@code ./mvnw -B -pl benchmarks package}):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.RotationLatencyHarness
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.RotationLatencyHarness \
 *     --rotations 1000 --poll-rotations 200 --warmup 100 --dirs /dev/shm,/tmp
 * </pre>
 *
 * <h2>Method</h2>
 *
 * Every rotation writes a new {@code username}/{@code password} pair (both values change every
 * time) with {@link KubernetesVolumeWriter#kubelet}, which follows the kubelet's order: new
 * timestamped directory, files, {@code ..data_tmp} link, rename over {@code ..data} (the commit),
 * top-level links, removal of the old directory.
 *
 * <ul>
 *   <li><b>Latency.</b> A reader thread spin-reads the new password through the peer's read path
 *       ({@code store.snapshot().find("password")} for secretsdk) and takes {@link
 *       System#nanoTime()} the moment it first sees the new value. Two start points are reported:
 *       <em>from write start</em> (just before {@code write()} is called: an upper bound that
 *       includes writing the files and the directory) and <em>from write return</em> (just after
 *       {@code write()} returns: the commit happened before this, and the writer still removed the
 *       old directory after it, so this figure can be negative when the store published during the
 *       writer's clean-up). The true commit-to-visible latency lies between the two. For the event
 *       mode a listener also records when its event (whose {@code current()} holds the new value)
 *       is delivered; a second event-mode row runs without the spinning reader (the listener is the
 *       only observer), since on a small machine the spinning thread itself takes a CPU away from
 *       the store's threads. Before each rotation the writer pauses a random time (up to the poll
 *       interval when polling, so rotations do not phase-lock with the poller; up to 1 ms
 *       otherwise); after it, it waits until the value is visible (or a timeout). The first {@code
 *       --warmup} rotations are not counted. For secretsdk rows it also prints the store's
 *       refreshes per rotation and {@code lastRefreshDuration}, overall and in the slowest 1% of
 *       rotations, to show where the tail latency goes.
 *   <li><b>Mixed pairs.</b> A writer thread rotates back to back while one reader thread reads the
 *       username and then the password in a tight loop; a pair whose two values come from different
 *       generations is counted as mixed; a read that throws or finds a value missing (SmallRye logs
 *       the failure and returns an empty source) is counted as an error. The peers that never
 *       refresh are re-created for every pair, which is what a reload (a restart, or Spring Cloud's
 *       refresh re-running config data loading) does to them.
 * </ul>
 *
 * <p>The harness prints figures only; it asserts nothing. Not thread-safe; run it as a program.
 *
 * <p>One runnable experiment in one file, like a JMH benchmark: the candidates, the probe and the
 * report side by side, so a reader can check what was measured.
 */
public final class RotationLatencyHarness {

  private static final String USER = "username";
  private static final String PASS = "password";

  /** The largest random pause before a rotation when not polling. */
  private static final Duration JITTER = Duration.ofMillis(1);

  private final int rotations;
  private final int pollRotations;
  private final int warmup;
  private final int peerRotations;
  private final Duration pollInterval;
  private final StringBuilder notes = new StringBuilder();

  private RotationLatencyHarness(
      int rotations, int pollRotations, int warmup, int peerRotations, Duration pollInterval) {
    this.rotations = rotations;
    this.pollRotations = pollRotations;
    this.warmup = warmup;
    this.peerRotations = peerRotations;
    this.pollInterval = pollInterval;
  }

  /**
   * Runs every measurement on every directory and prints the results.
   *
   * @param args {@code --rotations N} (default 1000), {@code --poll-rotations N} (default 200),
   *     {@code --warmup N} (default 100), {@code --peer-rotations N} (rotations for peers that
   *     never refresh, default 5), {@code --poll-ms N} (default 100), {@code --dirs a,b} (parent
   *     directories for the volumes; default {@code /dev/shm} if present and {@code
   *     java.io.tmpdir})
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value pairs, got: " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    List<Path> parents = new ArrayList<>();
    if (opts.containsKey("dirs")) {
      for (String d : opts.get("dirs").split(",")) {
        parents.add(Path.of(d));
      }
    } else {
      if (Files.isDirectory(Path.of("/dev/shm"))) {
        parents.add(Path.of("/dev/shm"));
      }
      parents.add(Path.of(System.getProperty("java.io.tmpdir")));
    }
    RotationLatencyHarness harness =
        new RotationLatencyHarness(
            Integer.parseInt(opts.getOrDefault("rotations", "1000")),
            Integer.parseInt(opts.getOrDefault("poll-rotations", "200")),
            Integer.parseInt(opts.getOrDefault("warmup", "100")),
            Integer.parseInt(opts.getOrDefault("peer-rotations", "5")),
            Duration.ofMillis(Long.parseLong(opts.getOrDefault("poll-ms", "100"))));
    System.out.printf(
        Locale.ROOT,
        "# RotationLatencyHarness %s, JDK %s, %d CPUs, load average %.2f%n",
        Instant.now(),
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    for (Path parent : parents) {
      harness.runAll(parent);
    }
  }

  private void runAll(Path parent) throws Exception {
    String fsType = Files.getFileStore(parent).type();
    System.out.printf(Locale.ROOT, "%n## %s (%s)%n%n", parent, fsType);
    System.out.println("### Rotation to visible (ms)");
    System.out.println();
    System.out.println(
        "| reader | rotations | visible | from write start p50 / p99 / max | from write return p50 / p99 / max | listener p50 / p99 / max | write() p50 |");
    System.out.println("|---|---|---|---|---|---|---|");

    // secretsdk, events (the default).
    withVolume(
        parent,
        (volume, writer) -> {
          try (SecretStore store = SecretStore.builder().mount(volume).build()) {
            latency(
                "secretsdk events (default)",
                writer,
                rotations,
                JITTER,
                Duration.ofSeconds(2),
                () -> value(store.snapshot().find(PASS)),
                store,
                true);
          }
        });
    // The same, observed by the listener alone: no spinning reader thread occupying a CPU.
    withVolume(
        parent,
        (volume, writer) -> {
          try (SecretStore store = SecretStore.builder().mount(volume).build()) {
            latency(
                "secretsdk events, listener only (no spinning reader)",
                writer,
                rotations,
                JITTER,
                Duration.ofSeconds(2),
                () -> value(store.snapshot().find(PASS)),
                store,
                true,
                false);
          }
        });
    // secretsdk, polling only.
    withVolume(
        parent,
        (volume, writer) -> {
          try (SecretStore store =
              SecretStore.builder().mount(volume).watch(false).pollInterval(pollInterval).build()) {
            latency(
                "secretsdk polling only, every " + pollInterval.toMillis() + " ms",
                writer,
                pollRotations,
                pollInterval,
                pollInterval.multipliedBy(20),
                () -> value(store.snapshot().find(PASS)),
                store,
                false);
          }
        });
    // Spring Boot configtree with ALWAYS_READ: re-reads the file on every lookup.
    withVolume(
        parent,
        (volume, writer) -> {
          ConfigTreePropertySource source =
              new ConfigTreePropertySource(
                  "configtree", volume, Option.ALWAYS_READ, Option.AUTO_TRIM_TRAILING_NEW_LINE);
          latency(
              "configtree ALWAYS_READ (file read per lookup)",
              writer,
              rotations,
              JITTER,
              Duration.ofSeconds(2),
              () -> configTree(source, PASS),
              null,
              false);
        });
    // Spring Boot configtree as configtree: creates it (contents cached on first read).
    withVolume(
        parent,
        (volume, writer) -> {
          ConfigTreePropertySource source =
              new ConfigTreePropertySource(
                  "configtree", volume, Option.AUTO_TRIM_TRAILING_NEW_LINE);
          configTree(source, PASS); // The application reads its password once, as at startup.
          latency(
              "configtree default (cached)",
              writer,
              peerRotations,
              JITTER,
              Duration.ofSeconds(1),
              () -> configTree(source, PASS),
              null,
              false);
        });
    // SmallRye FileSystemConfigSource: read once when created.
    withVolume(
        parent,
        (volume, writer) -> {
          FileSystemConfigSource source = new FileSystemConfigSource(volume.toFile());
          latency(
              "SmallRye FileSystemConfigSource",
              writer,
              peerRotations,
              JITTER,
              Duration.ofSeconds(1),
              () -> source.getValue(PASS),
              null,
              false);
        });

    System.out.println();
    System.out.print(notes);
    notes.setLength(0);
    System.out.println();
    System.out.println(
        "### Mixed pairs seen by a concurrent reader during "
            + rotations
            + " back-to-back rotations");
    System.out.println();
    System.out.println(
        "| reader | pair reads | mixed pairs | errors or missing values | final value visible |");
    System.out.println("|---|---|---|---|---|");
    withVolume(
        parent,
        (volume, writer) -> {
          try (SecretStore store = SecretStore.builder().mount(volume).build()) {
            mixed(
                "secretsdk, one snapshot() per pair",
                writer,
                () -> {
                  SecretSnapshot snap = store.snapshot();
                  return new String[] {value(snap.find(USER)), value(snap.find(PASS))};
                },
                Duration.ofSeconds(5));
          }
        });
    withVolume(
        parent,
        (volume, writer) -> {
          try (SecretStore store = SecretStore.builder().mount(volume).build()) {
            mixed(
                "secretsdk, two store.get() calls (no snapshot)",
                writer,
                () ->
                    new String[] {
                      store.get(USER).map(Secret::asString).orElse(null),
                      store.get(PASS).map(Secret::asString).orElse(null)
                    },
                Duration.ofSeconds(5));
          }
        });
    withVolume(
        parent,
        (volume, writer) -> {
          ConfigTreePropertySource source =
              new ConfigTreePropertySource(
                  "configtree", volume, Option.ALWAYS_READ, Option.AUTO_TRIM_TRAILING_NEW_LINE);
          mixed(
              "configtree ALWAYS_READ, two getProperty() calls",
              writer,
              () -> new String[] {configTree(source, USER), configTree(source, PASS)},
              Duration.ofSeconds(5));
        });
    withVolume(
        parent,
        (volume, writer) -> {
          mixed(
              "configtree default, re-created per pair (a reload)",
              writer,
              () -> {
                ConfigTreePropertySource source =
                    new ConfigTreePropertySource(
                        "configtree", volume, Option.AUTO_TRIM_TRAILING_NEW_LINE);
                return new String[] {configTree(source, USER), configTree(source, PASS)};
              },
              Duration.ofSeconds(5));
        });
    withVolume(
        parent,
        (volume, writer) -> {
          mixed(
              "SmallRye FileSystemConfigSource, re-created per pair (a reload)",
              writer,
              () -> {
                FileSystemConfigSource source = new FileSystemConfigSource(volume.toFile());
                return new String[] {source.getValue(USER), source.getValue(PASS)};
              },
              Duration.ofSeconds(5));
        });
  }

  // ---- latency ------------------------------------------------------------------------------

  private void latency(
      String label,
      KubernetesVolumeWriter writer,
      int count,
      Duration jitter,
      Duration timeout,
      Supplier<String> read,
      SecretStore store,
      boolean listen)
      throws InterruptedException {
    latency(label, writer, count, jitter, timeout, read, store, listen, true);
  }

  private void latency(
      String label,
      KubernetesVolumeWriter writer,
      int count,
      Duration jitter,
      Duration timeout,
      Supplier<String> read,
      SecretStore store,
      boolean listen,
      boolean spin)
      throws InterruptedException {
    SecretStore listenTo = listen ? store : null;
    long[] refreshTime = new long[count];
    long refreshesBefore = 0;
    int total = (count >= 100 ? warmup : 0) + count;
    long[] fromStart = new long[count];
    long[] fromReturn = new long[count];
    long[] writeTime = new long[count];
    long[] listener = new long[count];
    int[] listened = {0};
    int visible = 0;

    Probe probe = new Probe(read);
    Thread reader = new Thread(probe, "rotation-reader");
    reader.setDaemon(true);
    if (spin) {
      reader.start();
    }
    Subscription subscription = null;
    if (listenTo != null) {
      subscription =
          listenTo.subscribe(
              event -> {
                Secret p = event.current().find(PASS);
                String want = probe.listenFor;
                if (p != null && want != null && want.equals(p.asString())) {
                  long now = System.nanoTime();
                  probe.listenedAt = now;
                  if (!spin) {
                    probe.seenAt = now; // No spinning reader: the listener is the observer.
                  }
                }
              });
    }
    try {
      for (int i = 0; i < total; i++) {
        int generation = writer.generations() + 1;
        Map<String, String> pair = pair(generation);
        String want = pair.get(PASS);
        // A random pause first, so rotations do not phase-lock with the poller (a poll that
        // found the previous rotation would otherwise always run one interval after it).
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(Math.max(1, jitter.toNanos())));
        probe.seenAt = 0;
        probe.listenedAt = 0;
        probe.listenFor = want;
        probe.want = want;
        long start = System.nanoTime();
        writer.writeStrings(pair);
        long returned = System.nanoTime();
        long deadline = returned + timeout.toNanos();
        while (probe.seenAt == 0 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(100_000); // The waiting writer does not time anything.
        }
        long seen = probe.seenAt;
        probe.want = null;
        if (listenTo != null) {
          // The listener runs after publication; give it a moment, it is off the reader's path.
          long listenDeadline = System.nanoTime() + timeout.toNanos();
          while (seen != 0 && probe.listenedAt == 0 && System.nanoTime() < listenDeadline) {
            LockSupport.parkNanos(100_000); // The waiting writer does not time anything.
          }
        }
        int k = i - (total - count);
        if (k < 0) {
          continue;
        }
        writeTime[k] = returned - start;
        if (k == 0 && store != null) {
          refreshesBefore = store.health().refreshes();
        }
        if (seen != 0) {
          if (store != null) {
            refreshTime[visible] = store.health().lastRefreshDuration().toNanos();
          }
          fromStart[visible] = seen - start;
          fromReturn[visible] = seen - returned;
          visible++;
          long heard = probe.listenedAt;
          if (heard != 0) {
            listener[listened[0]++] = heard - start;
          }
        }
      }
    } finally {
      probe.stop.set(true);
      if (spin) {
        reader.join(2000);
      }
      if (subscription != null) {
        subscription.close();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %d | %s | %s | %s | %s |%n",
        label,
        count,
        visible,
        visible == 0
            ? "never visible within " + timeout.toMillis() + " ms"
            : stats(fromStart, visible),
        visible == 0 ? "-" : stats(fromReturn, visible),
        listened[0] == 0 ? "-" : stats(listener, listened[0]),
        ms(percentile(Arrays.copyOf(writeTime, count), 0.50)));
    if (store != null && visible > 0) {
      // Where the time goes: the store's own read of the new generation vs the rest (events
      // reaching the JDK watch service, thread hand-offs, the CPU being busy elsewhere).
      long[] order = Arrays.copyOf(fromStart, visible);
      Arrays.sort(order);
      long slowCut = order[Math.max(0, (int) Math.ceil(0.99 * visible) - 1)];
      long[] slowRefresh = new long[visible];
      int slow = 0;
      for (int j = 0; j < visible; j++) {
        if (fromStart[j] >= slowCut) {
          slowRefresh[slow++] = refreshTime[j];
        }
      }
      notes.append(
          String.format(
              Locale.ROOT,
              "- %s: %.2f store refreshes per rotation; the store's refresh took %s ms (p50 / p99 / max); "
                  + "in the slowest 1%% of rotations (>= %s ms) it took %s ms%n",
              label,
              (store.health().refreshes() - refreshesBefore) / (double) count,
              stats(refreshTime, visible),
              ms(slowCut),
              stats(slowRefresh, slow)));
    }
  }

  /** Spins reading the current value and records when it first equals {@link #want}. */
  private static final class Probe implements Runnable {
    final Supplier<String> read;
    final AtomicBoolean stop = new AtomicBoolean();
    volatile String want;
    volatile String listenFor;
    volatile long seenAt;
    volatile long listenedAt;

    Probe(Supplier<String> read) {
      this.read = read;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        String w = want;
        if (w == null || seenAt != 0) {
          Thread.onSpinWait();
          continue;
        }
        String v;
        try {
          v = read.get();
        } catch (RuntimeException e) {
          v = null; // A peer may fail mid-swap; keep looking.
        }
        if (w.equals(v) && want == w) {
          seenAt = System.nanoTime();
        }
      }
    }
  }

  // ---- mixed pairs --------------------------------------------------------------------------

  private void mixed(
      String label,
      KubernetesVolumeWriter writer,
      Supplier<String[]> readPair,
      Duration finalTimeout)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong mixedPairs = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  String[] pair = readPair.get();
                  reads.incrementAndGet();
                  if (pair[0] == null || pair[1] == null) {
                    errors
                        .incrementAndGet(); // A value missing: the source failed to read mid-swap.
                  } else if (!matches(pair[0], pair[1])) {
                    mixedPairs.incrementAndGet();
                  }
                } catch (RuntimeException e) {
                  reads.incrementAndGet();
                  errors.incrementAndGet();
                }
              }
            },
            "pair-reader");
    reader.setDaemon(true);
    reader.start();
    String last = null;
    for (int i = 0; i < rotations; i++) {
      Map<String, String> pair = pair(writer.generations() + 1);
      writer.writeStrings(pair);
      last = pair.get(USER);
    }
    long deadline = System.nanoTime() + finalTimeout.toNanos();
    boolean finalVisible = false;
    while (System.nanoTime() < deadline) {
      try {
        String[] now = readPair.get();
        if (last.equals(now[0]) && matches(now[0], now[1])) {
          finalVisible = true;
          break;
        }
      } catch (RuntimeException e) {
        // Keep trying until the deadline.
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    stop.set(true);
    reader.join(5000);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %d | %d | %s |%n",
        label,
        reads.get(),
        mixedPairs.get(),
        errors.get(),
        finalVisible ? "yes" : "no (after " + finalTimeout.toSeconds() + " s)");
  }

  /** {@code user-<n>} goes with {@code pw-<n>-<filler>}; both change every generation. */
  private static Map<String, String> pair(int generation) {
    Map<String, String> pair = new LinkedHashMap<>();
    pair.put(USER, "user-" + generation);
    pair.put(
        PASS, "pw-" + generation + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())));
    return pair;
  }

  private static boolean matches(String user, String pass) {
    if (user == null || pass == null || !user.startsWith("user-")) {
      return false;
    }
    return pass.startsWith("pw-" + user.substring(5) + "-");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private interface VolumeTask {
    void run(Path volume, KubernetesVolumeWriter writer) throws Exception;
  }

  private static void withVolume(Path parent, VolumeTask task) throws Exception {
    Path volume = Files.createTempDirectory(parent, "secretsdk-rotation-");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(pair(1));
    try {
      task.run(volume, writer);
    } finally {
      writer.deleteVolume();
    }
  }

  private static String value(Secret secret) {
    return secret == null ? null : secret.asString();
  }

  private static String configTree(ConfigTreePropertySource source, String name) {
    Object v = source.getProperty(name);
    return v == null ? null : v.toString();
  }

  private static String stats(long[] values, int n) {
    long[] v = Arrays.copyOf(values, n);
    Arrays.sort(v);
    return ms(percentile(v, 0.50)) + " / " + ms(percentile(v, 0.99)) + " / " + ms(v[n - 1]);
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

  // Keeps the store's INFO start-up lines and SmallRye's per-failure warnings (counted in the
  // errors column instead) out of the tables; held so the loggers are not collected.
  private static final java.util.logging.Logger STORE_LOG =
      java.util.logging.Logger.getLogger(SecretStore.class.getName());
  private static final java.util.logging.Logger SMALLRYE_LOG =
      java.util.logging.Logger.getLogger("io.smallrye.config");

  static {
    STORE_LOG.setLevel(java.util.logging.Level.WARNING);
    SMALLRYE_LOG.setLevel(java.util.logging.Level.OFF);
  }
}
