package io.secretsdk.signer;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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

/**
 * Local HMAC-SHA256 signing of 64-byte messages through {@code Signer.local(store)}, next to the
 * floor it is built on: a reused {@code javax.crypto.Mac} producing raw MAC bytes ({@code
 * rawMacReused}) and the same MAC encoded as base64url ({@code rawMacBase64}), so the cost of the
 * signature format ({@code v1:<key id>:<base64url MAC>}), the key lookup and rotation tracking
 * reads as a ratio. The key is a 32-byte file in a Kubernetes-style volume on {@code /dev/shm}.
 *
 * <p>Issue 6 target: at least 1,000,000 signatures/s per core. Run with 1 and then 2 threads:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LocalSignBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -t 1
 * java -jar benchmarks/target/benchmarks.jar LocalSignBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -t 2
 * </pre>
 *
 * <p>Thread-safety: the signer and store are shared by the benchmark threads ({@link
 * Scope#Benchmark}); each thread has its own {@code Mac} and message ({@link ThreadState}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LocalSignBenchmark {

  static final String KEY = "webhook-key";

  private Path volume;
  private SecretStore store;
  private Signer signer;
  private byte[] keyBytes;

  /** Writes a 32-byte key into a kubelet-style volume and opens the store and the signer. */
  @Setup
  public void setUp() throws IOException {
    Path shm = Path.of("/dev/shm");
    volume =
        Files.createTempDirectory(
            Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "secretsdk-sign-");
    keyBytes = new byte[32];
    ThreadLocalRandom.current().nextBytes(keyBytes);
    KubernetesVolumeWriter.kubelet(volume).write(Map.of(KEY, keyBytes));
    store = SecretStore.builder().mount(volume).build();
    signer = Signer.local(store);
    byte[] probe = "probe".getBytes(StandardCharsets.UTF_8);
    if (!signer.verify(KEY, probe, signer.sign(KEY, probe))) {
      throw new IllegalStateException("local signer does not verify its own signature");
    }
  }

  /** Closes the signer and the store and removes the volume. */
  @TearDown
  public void tearDown() throws IOException {
    signer.close();
    store.close();
    try (Stream<Path> paths = Files.walk(volume)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Per-thread message and {@code Mac}, as an application thread would hold them. */
  @State(Scope.Thread)
  public static class ThreadState {
    byte[] message;
    Mac mac;

    /** A random 64-byte message and a {@code Mac} initialised with the benchmark's key. */
    @Setup
    public void setUp(LocalSignBenchmark benchmark) throws GeneralSecurityException {
      message = new byte[64];
      ThreadLocalRandom.current().nextBytes(message);
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(benchmark.keyBytes, "HmacSHA256"));
    }
  }

  /** {@code Signer.local(store).sign(key, 64 bytes)}: the full signature string. */
  @Benchmark
  public String signLocal(ThreadState t) {
    return signer.sign(KEY, t.message);
  }

  /** The floor: a reused {@code Mac}, raw 32-byte result. */
  @Benchmark
  public byte[] rawMacReused(ThreadState t) {
    return t.mac.doFinal(t.message);
  }

  /** The floor plus encoding: a reused {@code Mac}, result as base64url without padding. */
  @Benchmark
  public String rawMacBase64(ThreadState t) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(t.mac.doFinal(t.message));
  }
}
