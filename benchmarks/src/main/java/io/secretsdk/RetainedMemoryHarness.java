package io.secretsdk;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.boot.env.ConfigTreePropertySource.Option;

/**
 * Heap retained by each reader of the same Kubernetes-style volume (20 keys of 48 bytes by
 * default): a secretsdk store (built with {@code watch(false)}, so no thread or watch registration,
 * which are not heap, takes part), Spring Boot's {@code ConfigTreePropertySource} after every key
 * was read once (it caches each file's content on first read) and SmallRye's {@code
 * FileSystemConfigSource}.
 *
 * <p>A second table does the same for a large volume (10,000 keys by default, fewer instances),
 * where what one store costs regardless of its keys no longer counts: its last column, the heap per
 * key beyond the value's own bytes, is the figure issue 9's target (at most 200 bytes per key) is
 * about.
 *
 * <p>Run (after {@code ./mvnw -B -pl benchmarks -am package -DskipTests}; a fixed heap keeps the
 * collector from resizing between samples):
 *
 * <pre>
 * java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar io.secretsdk.RetainedMemoryHarness
 * java -Xms512m -Xmx512m -cp benchmarks/target/benchmarks.jar io.secretsdk.RetainedMemoryHarness --keys 20 --instances 500 --large-keys 10000 --large-instances 10
 * </pre>
 *
 * <p>Method: for each reader, create {@code --instances} instances over the volume and keep them
 * reachable; the heap in use after a full collection (several {@code System.gc()} calls, until it
 * stops falling), minus the same figure before, divided by the number of instances, is the retained
 * size of one. It is repeated three times per reader; every repetition is printed. This is a coarse
 * method (JOL would count exact object sizes), good to tens of bytes per instance at these counts.
 * Prints figures only; asserts nothing. Run it as a program.
 */
public final class RetainedMemoryHarness {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  // Keeps one INFO line per store out of the table; held so the level stays set.
  private static final java.util.logging.Logger STORE_LOG =
      java.util.logging.Logger.getLogger(SecretStore.class.getName());

  static {
    STORE_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private RetainedMemoryHarness() {}

  /**
   * Measures and prints.
   *
   * @param args {@code --keys N} (default 20), {@code --instances N} (default 500), {@code
   *     --value-bytes N} (default 48), {@code --large-keys N} (default 10000; 0 skips the large
   *     volume), {@code --large-instances N} (default 10)
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int keys = Integer.parseInt(opts.getOrDefault("keys", "20"));
    int instances = Integer.parseInt(opts.getOrDefault("instances", "500"));
    int valueBytes = Integer.parseInt(opts.getOrDefault("value-bytes", "48"));
    int largeKeys = Integer.parseInt(opts.getOrDefault("large-keys", "10000"));
    int largeInstances = Integer.parseInt(opts.getOrDefault("large-instances", "10"));
    measureVolume(keys, instances, valueBytes, true);
    if (largeKeys > 0) {
      System.out.println();
      measureVolume(largeKeys, largeInstances, valueBytes, false);
    }
  }

  /**
   * One table: every reader over one volume of {@code keys} keys (with {@code peers}, configtree
   * too; the large volume compares with SmallRye only).
   */
  private static void measureVolume(int keys, int instances, int valueBytes, boolean allPeers)
      throws Exception {
    Path shm = Path.of("/dev/shm");
    Path volume =
        Files.createTempDirectory(
            Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "secretsdk-memory-");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    Map<String, String> items = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      String name = "db-password-" + i;
      names.add(name);
      items.put(name, "x".repeat(valueBytes - Integer.toString(i).length()) + i);
    }
    writer.writeStrings(items);
    System.out.printf(
        Locale.ROOT,
        "# RetainedMemoryHarness %s, JDK %s, max heap %d MiB, %d keys of %d bytes, %d instances per sample%n%n",
        Instant.now(),
        Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20,
        keys,
        valueBytes,
        instances);
    System.out.println(
        "| reader | retained bytes per instance (3 samples) | per key | per key beyond the "
            + valueBytes
            + " value bytes |");
    System.out.println("|---|---|---|---|");
    try {
      measure(
          "secretsdk store (watch(false)), values never read",
          instances,
          keys,
          valueBytes,
          () -> SecretStore.builder().mount(volume).watch(false).build());
      if (allPeers) {
        measure(
            "secretsdk store (watch(false)), every key read once with asString()",
            instances,
            keys,
            valueBytes,
            () -> {
              SecretStore store = SecretStore.builder().mount(volume).watch(false).build();
              for (String name : names) {
                store.snapshot().find(name).asString(); // Decoded strings are cached too.
              }
              return store;
            });
        measure(
            "Spring Boot ConfigTreePropertySource, every key read once",
            instances,
            keys,
            valueBytes,
            () -> {
              ConfigTreePropertySource source =
                  new ConfigTreePropertySource(
                      "configtree", volume, Option.AUTO_TRIM_TRAILING_NEW_LINE);
              for (String name : names) {
                source.getProperty(name).toString();
              }
              return source;
            });
      }
      measure(
          "SmallRye FileSystemConfigSource",
          instances,
          keys,
          valueBytes,
          () -> {
            FileSystemConfigSource source = new FileSystemConfigSource(volume.toFile());
            for (String name : names) {
              source.getValue(name);
            }
            return source;
          });
    } finally {
      writer.deleteVolume();
    }
  }

  private static void measure(
      String label, int instances, int keys, int valueBytes, Supplier<Object> create) {
    // Warm up class loading and the JIT so that neither shows up as retained heap.
    List<Object> warm = new ArrayList<>();
    for (int i = 0; i < Math.min(50, instances * 5); i++) {
      warm.add(create.get());
    }
    closeAll(warm);
    warm = null;
    StringBuilder samples = new StringBuilder();
    long last = 0;
    for (int sample = 0; sample < 3; sample++) {
      long before = settledHeap();
      List<Object> kept = new ArrayList<>(instances);
      for (int i = 0; i < instances; i++) {
        kept.add(create.get());
      }
      long after = settledHeap();
      // The list itself: about 4-8 bytes per reference, left in on purpose (it is noise here).
      last = (after - before) / instances;
      samples.append(sample == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", last));
      if (kept.size() != instances) {
        throw new IllegalStateException("lost instances");
      }
      closeAll(kept);
    }
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %,d | %,d |%n",
        label,
        samples,
        last / keys,
        last / keys - valueBytes);
  }

  private static void closeAll(List<Object> objects) {
    for (Object o : objects) {
      if (o instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    objects.clear();
  }

  private static long settledHeap() {
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (used >= previous) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}
