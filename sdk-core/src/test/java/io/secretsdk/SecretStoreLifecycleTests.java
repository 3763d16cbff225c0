package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threads: each store starts its own and close() leaves none of them behind. Checked on the threads
 * of the store under test only (by id or thread group), since other test classes run stores at the
 * same time; the file-descriptor check is in {@link FileDescriptorLeakTests}.
 */
class SecretStoreLifecycleTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;

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
    int id = ((LiveSecretStore) store).id();
    assertThat(StoreThreads.of(store))
        .extracting(Thread::getName)
        .containsExactlyInAnyOrder("secretsdk-watch-" + id, "secretsdk-notify-" + id);
    assertThat(StoreThreads.of(store)).allMatch(Thread::isDaemon);
    Set<Thread> threads = StoreThreads.of(store);

    store.close();
    store.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream().noneMatch(Thread::isAlive));
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(store.require("a").asString()).isEqualTo("2");
    assertThatThrownBy(store::refresh).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void storeWithNothingThatCanChangeStartsNoThread() throws Exception {
    Set<Thread> started =
        StoreThreads.startedBy(
            () -> {
              try (SecretStore store =
                  SecretStore.builder()
                      .environment()
                      .environmentVariables(Map.of("API_TOKEN", "t"))
                      .build()) {
                assertThat(store.snapshot().names()).containsExactly("API_TOKEN");
                assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.NONE);
                assertThat(StoreThreads.of(store)).isEmpty();
              }
              Path volume = tmp.resolve("vol");
              KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
              try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
                assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.NONE);
                assertThat(StoreThreads.of(store)).isEmpty();
              }
            });
    assertThat(started).isEmpty();
  }

  @Test
  void storesShareOneWatchServiceAndEachOwnsItsThread() {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "1"));
    KubernetesVolumeWriter.kubelet(b).writeStrings(Map.of("y", "1"));
    // A registry of this test's own, so other classes' stores do not count.
    WatchRegistry registry = new WatchRegistry(FileSystems.getDefault()::newWatchService);
    try (SecretStore first = LiveSecretStore.start(SecretStore.builder().mount(a), registry);
        SecretStore second =
            LiveSecretStore.start(SecretStore.builder().mount(a).mount(b), registry)) {
      assertThat(StoreThreads.of(first))
          .extracting(Thread::getName)
          .containsExactly("secretsdk-watch-" + ((LiveSecretStore) first).id());
      assertThat(StoreThreads.of(second))
          .extracting(Thread::getName)
          .containsExactly("secretsdk-watch-" + ((LiveSecretStore) second).id());
      // Same directory watched by both stores: one watch key, both notified.
      assertThat(registry.watchedDirectories()).isEqualTo(2);
      KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "2"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  first.require("x").asString().equals("2")
                      && second.require("x").asString().equals("2"));
      first.close();
      KubernetesVolumeWriter.kubelet(a).writeStrings(Map.of("x", "3"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> second.require("x").asString().equals("3"));
      assertThat(registry.watchedDirectories()).isEqualTo(2);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.watchedDirectories() == 0);
  }

  @Test
  void suppliedSchedulerRunsTheStoreAndOutlivesIt() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    java.util.concurrent.ScheduledExecutorService mine =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "app-scheduler"));
    try {
      try (SecretStore store = SecretStore.builder().mount(volume).scheduler(mine).build()) {
        assertThat(StoreThreads.of(store)).isEmpty();
        writer.writeStrings(Map.of("a", "2"));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> store.require("a").asString().equals("2"));
      }
      assertThat(mine.isShutdown()).isFalse();
    } finally {
      mine.shutdownNow();
    }
  }
}
