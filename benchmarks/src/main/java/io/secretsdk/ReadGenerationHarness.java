package io.secretsdk;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.springframework.boot.env.ConfigTreePropertySource;

/**
 * The cost of reading one generation: {@code SecretStore.builder().mount(volume).watch(false)
 * .build()} on a kubelet volume on tmpfs, cold (the first build in a fresh JVM, a new JVM per
 * sample) and warm (after warm-up, in one JVM), side by side with reading the same files with
 * {@code Files.readAllBytes} (listing the generation directory and reading every file once), Spring
 * Boot's {@code ConfigTreePropertySource} (constructed, then every property read once, as {@code
 * configtree:} does) and SmallRye's {@code FileSystemConfigSource} (constructed; it reads every
 * file eagerly). Volumes: 10,000 keys and 1,000 keys of 1 KiB, written in kubelet order.
 *
 * <p>Run (after {@code ./mvnw -B -pl benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.ReadGenerationHarness
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.ReadGenerationHarness --dir /dev/shm --keys 10000,1000 --warmup 15 --samples 25 --cold 5
 * </pre>
 *
 * <p>Prints the load average before and after, and per reader and volume the median, p90, min and
 * max in milliseconds. Prints figures only; asserts nothing.
 *
 * <p>Cold builds alternate with cold raw reads (a new JVM that lists the generation and reads every
 * file with {@code Files.readAllBytes}, timed the same way), and the ratio cold build ÷ cold raw
 * read is printed: on a loaded machine it moves far less than either time. Only the cold figures,
 * 11 pairs on the 10,000-key volume:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.secretsdk.ReadGenerationHarness --keys 10000 --cold 11 --warm false
 * </pre>
 */
public final class ReadGenerationHarness {

  private static final java.util.logging.Logger STORE_LOG =
      java.util.logging.Logger.getLogger(SecretStore.class.getName());

  static {
    STORE_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private ReadGenerationHarness() {}

  /**
   * Measures and prints.
   *
   * @param args {@code --dir /dev/shm}, {@code --keys 10000,1000}, {@code --warmup 15}, {@code
   *     --samples 25}, {@code --cold 5}, {@code --value-bytes 1024}, {@code --warm true} ({@code
   *     false}: cold figures only); {@code --cold-once <volume>} and {@code --cold-raw-once
   *     <volume>} are the child modes (one build, or one raw read, prints its time)
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    if (opts.containsKey("--cold-once")) {
      Path volume = Path.of(opts.get("--cold-once"));
      long t0 = System.nanoTime();
      try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
        long t1 = System.nanoTime();
        System.out.println("COLD " + (t1 - t0) + " " + store.snapshot().size());
      }
      return;
    }
    if (opts.containsKey("--cold-raw-once")) {
      // The same work as rawRead, timed from the first call into the library as the build is.
      Path volume = Path.of(opts.get("--cold-raw-once"));
      long t0 = System.nanoTime();
      Path generation = volume.resolve(Files.readSymbolicLink(volume.resolve("..data")));
      int n = rawRead(generation);
      long t1 = System.nanoTime();
      System.out.println("COLD " + (t1 - t0) + " " + n);
      return;
    }
    Path base = Path.of(opts.getOrDefault("--dir", "/dev/shm"));
    int[] keyCounts =
        Arrays.stream(opts.getOrDefault("--keys", "10000,1000").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "15"));
    int samples = Integer.parseInt(opts.getOrDefault("--samples", "25"));
    int cold = Integer.parseInt(opts.getOrDefault("--cold", "5"));
    int valueBytes = Integer.parseInt(opts.getOrDefault("--value-bytes", "1024"));
    boolean warmRuns = Boolean.parseBoolean(opts.getOrDefault("--warm", "true"));

    System.out.printf(
        Locale.ROOT,
        "java %s, %d CPUs, load average before: %s%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    Path root = Files.createTempDirectory(base, "secretsdk-readgen-");
    try {
      for (int keys : keyCounts) {
        Path volume = root.resolve("vol-" + keys);
        Map<String, byte[]> items = new LinkedHashMap<>();
        Random random = new Random(keys);
        for (int i = 0; i < keys; i++) {
          // Text values: SmallRye and configtree read values as UTF-8 strings.
          byte[] value = new byte[valueBytes];
          for (int b = 0; b < valueBytes; b++) {
            value[b] = (byte) ('a' + random.nextInt(26));
          }
          items.put(String.format(Locale.ROOT, "key-%05d", i), value);
        }
        KubernetesVolumeWriter.kubelet(volume).write(items);
        Path generation = volume.resolve(Files.readSymbolicLink(volume.resolve("..data")));
        System.out.printf(
            Locale.ROOT, "%n== %d keys x %d bytes, kubelet volume in %s%n", keys, valueBytes, base);

        List<Double> coldMs = new ArrayList<>();
        List<Double> coldRawMs = new ArrayList<>();
        List<Double> coldRatios = new ArrayList<>();
        for (int i = 0; i < cold; i++) {
          // Alternating, so a change of load hits both alike.
          double raw = coldChild("--cold-raw-once", volume);
          double build = coldChild("--cold-once", volume);
          coldRawMs.add(raw);
          coldMs.add(build);
          coldRatios.add(build / raw);
        }
        print("Files.readAllBytes cold (new JVM each)", coldRawMs);
        print("secretsdk build() cold (new JVM each)", coldMs);
        System.out.printf(
            Locale.ROOT,
            "cold build / cold raw read: median of pairs %.2fx, of medians %.2fx, of minima %.2fx%n",
            median(coldRatios),
            median(coldMs) / median(coldRawMs),
            coldMs.stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                / coldRawMs.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        if (!warmRuns) {
          continue;
        }

        Map<String, Runnable> readers = new LinkedHashMap<>();
        readers.put("Files.readAllBytes (list + read all)", () -> rawRead(generation));
        readers.put(
            "secretsdk build() warm",
            () -> {
              try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
                check(store.snapshot().size(), keys);
              }
            });
        readers.put(
            "Spring configtree (construct + read all)",
            () -> {
              ConfigTreePropertySource source = new ConfigTreePropertySource("bench", volume);
              int n = 0;
              for (String name : source.getPropertyNames()) {
                if (source.getProperty(name) != null) {
                  n++;
                }
              }
              check(n, keys);
            });
        readers.put(
            "SmallRye FileSystemConfigSource (construct)",
            () -> {
              FileSystemConfigSource source = new FileSystemConfigSource(volume.toFile());
              check(source.getPropertyNames().size(), keys);
            });
        // Interleaved rounds, so load changes hit every reader alike.
        Map<String, List<Double>> times = new LinkedHashMap<>();
        readers.keySet().forEach(k -> times.put(k, new ArrayList<>()));
        for (int round = 0; round < warmup + samples; round++) {
          for (Map.Entry<String, Runnable> r : readers.entrySet()) {
            long t0 = System.nanoTime();
            r.getValue().run();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (round >= warmup) {
              times.get(r.getKey()).add(ms);
            }
          }
        }
        times.forEach(ReadGenerationHarness::print);
        double raw = median(times.get("Files.readAllBytes (list + read all)"));
        double warm = median(times.get("secretsdk build() warm"));
        System.out.printf(
            Locale.ROOT,
            "warm build / raw read (medians): %.2fx; cold median %.1f ms%n",
            warm / raw,
            median(coldMs));
      }
    } finally {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.out.printf(Locale.ROOT, "%nload average after: %s%n", loadAverage());
  }

  private static int rawRead(Path generation) {
    int n = 0;
    long bytes = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(generation)) {
      for (Path file : entries) {
        bytes += Files.readAllBytes(file).length;
        n++;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (n == 0 || bytes == 0) {
      throw new IllegalStateException("nothing read");
    }
    return n;
  }

  private static double coldChild(String mode, Path volume) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ReadGenerationHarness.class.getName(),
                mode,
                volume.toString())
            .redirectErrorStream(true)
            .start();
    String result = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("COLD ")) {
          result = line;
        }
      }
    }
    if (p.waitFor() != 0 || result == null) {
      throw new IllegalStateException(mode + " failed");
    }
    return Long.parseLong(result.split(" ")[1]) / 1e6;
  }

  private static void check(int actual, int expected) {
    if (actual != expected) {
      throw new IllegalStateException("read " + actual + " keys, expected " + expected);
    }
  }

  private static void print(String name, List<Double> ms) {
    double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "%-45s n=%-3d median %8.2f  p90 %8.2f  min %8.2f  max %8.2f ms%n",
        name,
        sorted.length,
        percentile(sorted, 50),
        percentile(sorted, 90),
        sorted[0],
        sorted[sorted.length - 1]);
  }

  private static double median(List<Double> ms) {
    return percentile(ms.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
  }

  private static double percentile(double[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
