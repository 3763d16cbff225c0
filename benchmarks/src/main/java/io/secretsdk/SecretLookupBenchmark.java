package io.secretsdk;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.smallrye.config.source.file.FileSystemConfigSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.boot.env.ConfigTreePropertySource.Option;

/**
 * The cost of looking a secret up by name, side by side: secretsdk's snapshot and store, Spring
 * Boot's {@code ConfigTreePropertySource} (as {@code configtree:} creates it, and with {@code
 * ALWAYS_READ}, its only mode that sees rotations) and SmallRye's {@code FileSystemConfigSource},
 * all reading the same 20-key Kubernetes-style volume (written by {@link KubernetesVolumeWriter},
 * on {@code /dev/shm} when present). Each {@code hit*} benchmark cycles through the 20 names and
 * returns the value as a {@code String}, which is what Spring's resolver and MicroProfile Config
 * hand to the application; each {@code miss*} benchmark asks for a name the source does not have,
 * which is what every source but the one that answers sees when a framework resolves a property
 * through its whole chain.
 *
 * <p>Run (after {@code ./mvnw -B -pl benchmarks package}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SecretLookupBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1
 * java -jar benchmarks/target/benchmarks.jar SecretLookupBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc
 * </pre>
 *
 * <p>Thread-safety: JMH drives one instance per thread ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SecretLookupBenchmark {

  private static final int KEYS = 20;

  private Path volume;
  private SecretStore store;
  private ConfigTreePropertySource configTree;
  private ConfigTreePropertySource configTreeAlwaysRead;
  private FileSystemConfigSource smallRye;
  private final String[] names = new String[KEYS];
  private int next;

  /** Writes the volume and opens every reader on it. */
  @Setup
  public void setUp() throws IOException {
    Path shm = Path.of("/dev/shm");
    volume =
        Files.createTempDirectory(
            Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "secretsdk-lookup-");
    Map<String, String> items = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      // Key names as Kubernetes Secrets have them; values the size of a typical password/token.
      names[i] = "db-password-" + i;
      items.put(names[i], "s3cr3t-value-" + i + "-0123456789abcdef0123456789abcdef");
    }
    KubernetesVolumeWriter.kubelet(volume).writeStrings(items);
    store = SecretStore.builder().mount(volume).trimTrailingNewline(true).build();
    configTree =
        new ConfigTreePropertySource("configtree", volume, Option.AUTO_TRIM_TRAILING_NEW_LINE);
    configTreeAlwaysRead =
        new ConfigTreePropertySource(
            "configtree", volume, Option.ALWAYS_READ, Option.AUTO_TRIM_TRAILING_NEW_LINE);
    smallRye = new FileSystemConfigSource(volume.toFile());
    for (String name : names) {
      // Same answers everywhere, and configtree's lazy per-file cache is filled before measuring.
      String expected = store.require(name).asString();
      if (!expected.equals(configTree.getProperty(name).toString())
          || !expected.equals(configTreeAlwaysRead.getProperty(name).toString())
          || !expected.equals(smallRye.getValue(name))) {
        throw new IllegalStateException("readers disagree on " + name);
      }
    }
  }

  /** Closes the store and removes the volume. */
  @TearDown
  public void tearDown() throws IOException {
    store.close();
    try (var paths = Files.walk(volume)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private String nextName() {
    int i = next + 1;
    if (i == KEYS) {
      i = 0;
    }
    next = i;
    return names[i];
  }

  /** secretsdk: {@code store.snapshot().find(name).asString()}, the integrations' hot path. */
  @Benchmark
  public String hitSecretsdkSnapshotFind() {
    return store.snapshot().find(nextName()).asString();
  }

  /** secretsdk: {@code store.get(name)}, the convenience API (allocates an {@code Optional}). */
  @Benchmark
  public String hitSecretsdkStoreGet() {
    Optional<Secret> secret = store.get(nextName());
    return secret.get().asString();
  }

  /** Spring Boot configtree as {@code configtree:} creates it: contents cached after first read. */
  @Benchmark
  public String hitConfigTree() {
    return configTree.getProperty(nextName()).toString();
  }

  /** Spring Boot configtree with {@code ALWAYS_READ}: reads the file on every lookup. */
  @Benchmark
  public String hitConfigTreeAlwaysRead() {
    return configTreeAlwaysRead.getProperty(nextName()).toString();
  }

  /** SmallRye {@code FileSystemConfigSource.getValue}: a map read once at creation. */
  @Benchmark
  public String hitSmallRye() {
    return smallRye.getValue(nextName());
  }

  /** secretsdk: a name the snapshot does not have. */
  @Benchmark
  public Secret missSecretsdkSnapshotFind() {
    nextName();
    return store.snapshot().find("spring.datasource.url");
  }

  /** Spring Boot configtree: a name it does not have. */
  @Benchmark
  public Object missConfigTree() {
    nextName();
    return configTree.getProperty("spring.datasource.url");
  }

  /** SmallRye: a name it does not have (it then tries two sanitized spellings). */
  @Benchmark
  public String missSmallRye() {
    nextName();
    return smallRye.getValue("spring.datasource.url");
  }
}
