package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubelet rotations of a three-key generation for a bounded time while reader threads check every
 * snapshot they take and a listener checks every snapshot it is given: a mixed generation is never
 * seen. Three seconds by default; {@code -Dsecretsdk.soak.seconds=N} runs it for N seconds and the
 * figures it prints go to {@code docs/reliability.md}.
 */
@Tag("soak")
class RotationSoakTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  static final int READERS = 4;

  @TempDir Path tmp;

  @Test
  void rotationsForTheSoakDurationNeverShowAMixedGeneration() throws Exception {
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(generation(0));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong mixed = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong events = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    Duration runFor = SoakSettings.duration(3);
    long rotations = 0;
    long started = System.nanoTime();
    try (SecretStore store = SecretStore.builder().mount(volume).build()) {
      store.subscribe(
          event -> {
            if (!consistent(event.current())) {
              mixed.incrementAndGet();
            }
            events.incrementAndGet();
          });
      for (int r = 0; r < READERS; r++) {
        Thread reader =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    if (!consistent(store.snapshot())) {
                      mixed.incrementAndGet();
                    }
                    reads.incrementAndGet();
                  }
                },
                "soak-reader-" + r);
        reader.start();
        readers.add(reader);
      }
      long end = started + runFor.toNanos();
      while (System.nanoTime() < end) {
        rotations++;
        writer.writeStrings(generation(rotations));
      }
      String last = Long.toString(rotations);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.require("id").asString().equals(last));
      stop.set(true);
      for (Thread reader : readers) {
        reader.join();
      }
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    }
    System.out.printf(
        "soak: %d rotations, %d readers, %.1f s, %d snapshot reads, %d change events, mixed generations %d%n",
        rotations,
        READERS,
        (System.nanoTime() - started) / 1e9,
        reads.get(),
        events.get(),
        mixed.get());
    assertThat(mixed.get()).isZero();
    assertThat(reads.get()).isPositive();
    assertThat(events.get()).isPositive();
  }

  private static Map<String, String> generation(long i) {
    return Map.of("id", Long.toString(i), "username", "u" + i, "password", "p" + i);
  }

  private static boolean consistent(SecretSnapshot s) {
    String id = s.find("id").asString();
    return s.find("username").asString().equals("u" + id)
        && s.find("password").asString().equals("p" + id);
  }
}
