package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Delivery of change events to listeners that misbehave. */
class SecretListenerTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;

  @Test
  void listenerThrowingAnErrorDoesNotStopTheOthersOrKillTheNotifyThread(
      Canaries canaries, LogCapture logs) {
    String canary = canaries.next("value");
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("password", "one"));
    List<Thread> deliveredOn = new CopyOnWriteArrayList<>();
    RecordingListener after = new RecordingListener();
    try (SecretStore store = SecretStore.builder().mount(volume).build()) {
      store.subscribe(
          event -> {
            deliveredOn.add(Thread.currentThread());
            // What a listener's failed static initializer looks like; its message quotes a value.
            throw new ExceptionInInitializerError("bad value " + canary);
          });
      store.subscribe(
          event -> {
            throw new OutOfMemoryError("value " + canary);
          });
      store.subscribe(after);

      writer.writeStrings(Map.of("password", "two"));
      await().atMost(Duration.ofSeconds(20)).until(() -> after.count() == 1);
      writer.writeStrings(Map.of("password", "three"));
      await().atMost(Duration.ofSeconds(20)).until(() -> after.count() == 2);

      assertThat(after.events()).extracting(e -> e.current().revision()).containsExactly(2L, 3L);
      assertThat(deliveredOn).hasSize(2);
      assertThat(deliveredOn.get(0)).isSameAs(deliveredOn.get(1));
      assertThat(deliveredOn.get(0).isAlive()).isTrue();
      assertThat(deliveredOn.get(0).getName()).startsWith("secretsdk-notify-");
    }
    assertThat(logs.text())
        .contains("threw java.lang.ExceptionInInitializerError")
        .contains("threw java.lang.OutOfMemoryError")
        .doesNotContain(canary);
  }
}
