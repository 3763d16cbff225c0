package io.secretsdk;

import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * No file descriptor is left behind by rotations. The count is JVM-wide ({@code /proc/self/fd},
 * Linux only), so this class runs alone, never alongside other test classes.
 */
@Isolated
@EnabledOnOs(OS.LINUX)
class FileDescriptorLeakTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;

  static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void thousandRotationsLeaveNoFileDescriptorBehind() throws Exception {
    Path volume = tmp.resolve("vol");
    Path plain = tmp.resolve("plain");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "0"));
    PlainDirectoryWriter.of(plain).create("b", "0");
    // Warm up class loading and the JDK's own lazily opened files before taking the baseline.
    SecretStore warmup = SecretStore.builder().mount(volume).build();
    Set<Thread> warmupThreads = StoreThreads.of(warmup);
    warmup.refresh();
    warmup.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> warmupThreads.stream().noneMatch(Thread::isAlive));
    long baseline = openFileDescriptors();

    SecretStore store =
        SecretStore.builder().mount(volume).mount(plain).quietPeriod(Duration.ZERO).build();
    for (int i = 1; i <= 1_000; i++) {
      writer.writeStrings(Map.of("a", Integer.toString(i)));
      if (i % 100 == 0) {
        PlainDirectoryWriter.of(plain).overwriteInPlace("b", Integer.toString(i));
      }
      String expected = Integer.toString(i);
      await()
          .atMost(Duration.ofSeconds(10))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> store.require("a").asString().equals(expected));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.require("b").asString().equals("1000"));
    Set<Thread> threads = StoreThreads.of(store);
    store.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().noneMatch(Thread::isAlive));
    await().atMost(Duration.ofSeconds(10)).until(() -> openFileDescriptors() <= baseline);
  }
}
