package io.secretsdk.examples;

import io.secretsdk.SecretChangeEvent;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.SourceHealth;
import io.secretsdk.Subscription;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The demo: a Kubernetes Secret volume, written exactly as the kubelet writes it, rotated again and
 * again under a running application that reads a username/password pair the whole time.
 *
 * <p>Run it from the repository root:
 *
 * <pre>./mvnw -q -pl examples -am -DskipTests package exec:java</pre>
 *
 * It shows that every rotation is seen within milliseconds through the JDK {@code WatchService},
 * that readers never see a username from one generation with a password from another, that a bad
 * update keeps the last good values and says so in health, and that no value is ever printed.
 */
public final class RotationDemo {

  static final int ROTATIONS = 300;
  static final int LATENCY_SAMPLES = 200;

  private final PrintStream out;

  RotationDemo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo in a temporary directory that is removed afterwards. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "      (log) %4$s %5$s%n");
    }
    Path dir = Files.createTempDirectory("secretsdk-demo-");
    try {
      new RotationDemo(System.out).run(dir);
    } finally {
      deleteRecursively(dir);
    }
  }

  /** The whole demo; returns the number of mixed pairs readers saw (always 0). */
  long run(Path dir) throws Exception {
    Path volume = dir.resolve("db");
    KubernetesVolumeWriter kubelet = KubernetesVolumeWriter.kubelet(volume);
    kubelet.writeStrings(generation(0));

    out.println("secretsdk demo: a Kubernetes Secret volume rotated under a running application");
    out.println();
    out.println("[1] The kubelet wrote " + volume);
    try (Stream<Path> entries = Files.list(volume)) {
      entries.sorted().forEach(p -> out.println("      " + describe(p)));
    }

    long mixed;
    try (SecretStore store = SecretStore.builder().mount(volume, "db.").build()) {
      SecretSnapshot first = store.snapshot();
      out.println();
      out.println("[2] SecretStore.builder().mount(volume, \"db.\").build() read one generation:");
      out.println("      revision " + first.revision() + ", names " + first.names());
      out.println("      store.require(\"db.password\") prints as " + store.require("db.password"));
      out.println("      watching with " + store.health().sources().get(0).watchMode());

      List<SecretChangeEvent> events = new CopyOnWriteArrayList<>();
      Subscription subscription = store.subscribe(events::add);
      try {
        mixed = rotate(store, kubelet);
        waitFor(() -> events.size() >= ROTATIONS + LATENCY_SAMPLES + 1);
        out.println(
            "      listeners got "
                + events.size()
                + " events, one per rotation; the first: "
                + events.get(0));

        out.println();
        out.println(
            "[4] A bad update: the next generation's password file is 2 MiB, over the 1 MiB limit");
        long before = store.snapshot().revision();
        Map<String, String> bad = generation(ROTATIONS + 1);
        bad.put("password", "x".repeat(2 * 1024 * 1024));
        kubelet.writeStrings(bad);
        waitFor(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
        SourceHealth source = store.health().sources().get(0);
        out.println(
            "      health "
                + store.health().status()
                + ", still serving revision "
                + store.snapshot().revision()
                + " (was "
                + before
                + "), consecutive failures "
                + source.consecutiveFailures());
        out.println("      last error: " + source.lastError().orElse("none"));
        kubelet.writeStrings(generation(ROTATIONS + 2));
        waitFor(
            () ->
                store.snapshot().revision() > before
                    && store.health().status() == SecretStoreHealth.Status.UP);
        out.println(
            "      a good update follows: health "
                + store.health().status()
                + ", revision "
                + store.snapshot().revision());

        out.println();
        out.println("[5] Keys come and go: the event names exactly what changed");
        int seen = events.size();
        Map<String, String> withToken = generation(ROTATIONS + 2);
        withToken.put("token", "demo-token");
        kubelet.writeStrings(withToken);
        waitFor(() -> events.size() > seen);
        out.println("      " + events.get(events.size() - 1));
      } finally {
        subscription.close();
      }

      out.println();
      out.println("[6] Signing without holding the key");
      new SignerDemo(out).run(dir);
    }
    waitFor(RotationDemo::noSecretsdkThreads);
    out.println();
    out.println(
        "[7] store.close(): no secretsdk thread is left running. Nothing above printed a value.");
    return mixed;
  }

  private long rotate(SecretStore store, KubernetesVolumeWriter kubelet)
      throws InterruptedException {
    out.println();
    out.println(
        "[3] Rotating the pair " + ROTATIONS + " times while 2 threads read it from snapshots...");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong mixed = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Thread reader =
          new Thread(
              () -> {
                while (!stop.get()) {
                  SecretSnapshot snap = store.snapshot();
                  String user = snap.find("db.username").asString();
                  String pass = snap.find("db.password").asString();
                  if (!pass.endsWith(user.substring(user.indexOf('-')))) {
                    mixed.incrementAndGet();
                  }
                  reads.incrementAndGet();
                }
              },
              "demo-reader-" + r);
      reader.setDaemon(true);
      reader.start();
      readers.add(reader);
    }
    for (int i = 1; i <= ROTATIONS; i++) {
      String expected = "app-" + i;
      kubelet.writeStrings(generation(i));
      waitFor(() -> store.snapshot().find("db.username").asString().equals(expected));
    }
    stop.set(true);
    for (Thread reader : readers) {
      reader.join();
    }
    out.printf(
        "      %d rotations, %,d pair reads, %d mixed pairs%n",
        ROTATIONS, reads.get(), mixed.get());

    // Latency, with the readers stopped so they do not compete for the 2 cores: from the kubelet's
    // rename of ..data to the listener call, which comes after the snapshot swap.
    int samples = LATENCY_SAMPLES;
    long[] latencies = new long[samples];
    java.util.concurrent.BlockingQueue<Long> seenAt =
        new java.util.concurrent.LinkedBlockingQueue<>();
    Subscription timing = store.subscribe(event -> seenAt.add(System.nanoTime()));
    try {
      for (int i = 0; i < samples; i++) {
        long start = System.nanoTime();
        kubelet.writeStrings(generation(ROTATIONS + 1000 + i));
        Long seen = seenAt.poll(10, TimeUnit.SECONDS);
        if (seen == null) {
          throw new IllegalStateException("rotation " + i + " was not seen within 10 s");
        }
        latencies[i] = seen - start;
      }
    } finally {
      timing.close();
    }
    kubelet.writeStrings(generation(ROTATIONS));
    waitFor(() -> store.snapshot().find("db.username").asString().equals("app-" + ROTATIONS));
    Arrays.sort(latencies);
    out.printf(
        "      %d more rotations, kubelet write start -> listener called: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        samples,
        latencies[samples / 2] / 1e6,
        latencies[(int) (samples * 0.99) - 1] / 1e6,
        latencies[samples - 1] / 1e6);
    out.println(
        "      (includes writing the generation; docs/benchmarks.md has the harness and the peers)");
    return mixed.get();
  }

  static Map<String, String> generation(int i) {
    Map<String, String> items = new java.util.TreeMap<>();
    items.put("username", "app-" + i);
    items.put("password", "demo-password-" + i);
    items.put("config/pool-size", "10");
    return items;
  }

  private static String describe(Path p) {
    try {
      if (Files.isSymbolicLink(p)) {
        return p.getFileName() + " -> " + Files.readSymbolicLink(p);
      }
      return p.getFileName() + (Files.isDirectory(p) ? "/" : "");
    } catch (IOException e) {
      return p.getFileName().toString();
    }
  }

  static boolean noSecretsdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("secretsdk-"));
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the demo waited 30 s for a condition that did not come");
      }
      TimeUnit.MILLISECONDS.sleep(2);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
