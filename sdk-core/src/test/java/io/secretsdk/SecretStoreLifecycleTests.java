package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.PlainDirectoryWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Threads and file descriptors: nothing is left behind by close(), nothing leaks across rotations. */
class SecretStoreLifecycleTests {

  @TempDir Path tmp;

  static Set<Thread> secretsdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("secretsdk-"))
        .collect(Collectors.toSet());
  }

  static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void closeStopsEveryThreadAndIsIdempotent() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    SecretStore store = SecretStore.builder().mount(volume).build();
    RecordingListener listener = new RecordingListener();
    store.subscribe(listener);
    writer.writeStrings(Map.of("a", "2"));
    await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() == 1);
    assertThat(secretsdkThreads()).extracting(Thread::getName)
        .contains("secretsdk-watch-events")
        .anyMatch(n -> n.startsWith("secretsdk-watch-") && !n.equals("secretsdk-watch-events"))
        .anyMatch(n -> n.startsWith("secretsdk-notify-"));
    assertThat(secretsdkThreads()).allMatch(Thread::isDaemon);

    store.close();
    store.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(store.require("a").asString()).isEqualTo("2");
    assertThatThrownBy(store::refresh).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void storeWithNothingThatCanChangeStartsNoThread() {
    await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
    try (SecretStore store =
        SecretStore.builder().environment().environmentVariables(Map.of("API_TOKEN", "t")).build()) {
      assertThat(store.snapshot().names()).containsExactly("API_TOKEN");
      assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.NONE);
      assertThat(secretsdkThreads()).isEmpty();
    }
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.NONE);
      assertThat(secretsdkThreads()).isEmpty();
    }
  }

  @Test
  void storesShareOneWatchServiceAndEachOwnsItsThread() {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "1"));
    KubernetesVolumeWriter.kubelet(b).writeStrings(Map.of("y", "1"));
    try (SecretStore first = SecretStore.builder().mount(a).build();
        SecretStore second = SecretStore.builder().mount(a).mount(b).build()) {
      long dispatchers = secretsdkThreads().stream().filter(t -> t.getName().equals("secretsdk-watch-events")).count();
      long storeThreads =
          secretsdkThreads().stream().filter(t -> t.getName().matches("secretsdk-watch-\\d+")).count();
      assertThat(dispatchers).isEqualTo(1);
      assertThat(storeThreads).isEqualTo(2);
      // Same directory watched by both stores: one watch key, both notified.
      assertThat(WatchRegistry.shared().watchedDirectories()).isEqualTo(2);
      KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "2"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> first.require("x").asString().equals("2") && second.require("x").asString().equals("2"));
      first.close();
      KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "3"));
      await().atMost(Duration.ofSeconds(10)).until(() -> second.require("x").asString().equals("3"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
  }

  @Test
  void suppliedSchedulerRunsTheStoreAndOutlivesIt() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    java.util.concurrent.ScheduledExecutorService mine =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "app-scheduler"));
    try {
      try (SecretStore store = SecretStore.builder().mount(volume).scheduler(mine).build()) {
        assertThat(secretsdkThreads()).extracting(Thread::getName).noneMatch(n -> n.matches("secretsdk-watch-\\d+"));
        writer.writeStrings(Map.of("a", "2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.require("a").asString().equals("2"));
      }
      assertThat(mine.isShutdown()).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
    } finally {
      mine.shutdownNow();
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
    try (SecretStore warmup = SecretStore.builder().mount(volume).build()) {
      warmup.refresh();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
    long baseline = openFileDescriptors();

    SecretStore store = SecretStore.builder().mount(volume).mount(plain).quietPeriod(Duration.ZERO).build();
    for (int i = 1; i <= 1_000; i++) {
      writer.writeStrings(Map.of("a", Integer.toString(i)));
      if (i % 100 == 0) {
        PlainDirectoryWriter.of(plain).overwriteInPlace("b", Integer.toString(i));
      }
      String expected = Integer.toString(i);
      await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> store.require("a").asString().equals(expected));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> store.require("b").asString().equals("1000"));
    store.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> secretsdkThreads().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> openFileDescriptors() <= baseline);
  }
}
