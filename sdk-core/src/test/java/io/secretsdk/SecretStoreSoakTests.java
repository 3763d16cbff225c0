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
 * Kubelet rotations of a username/password pair while readers read the pair both from one snapshot
 * and through two separate lookups on a snapshot they took: never a mixed pair, and every rotation
 * becomes visible.
 */
@Tag("soak")
class SecretStoreSoakTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  /** At least this many rotations, however short the run. */
  static final int MIN_ROTATIONS = 20;

  @TempDir Path tmp;

  /**
   * Rotates for three seconds in the normal suite (at least {@link #MIN_ROTATIONS} times); run long
   * with {@code -Dsecretsdk.soak.seconds=N} (see {@link SoakSettings}).
   */
  @Test
  void rotationsNeverShowAMixedPair() throws Exception {
    long deadline = System.nanoTime() + SoakSettings.duration(3).toNanos();
    int rotations = 0;
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(pair(0));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong mixed = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    try (SecretStore store = SecretStore.builder().mount(volume).build()) {
      for (int r = 0; r < 3; r++) {
        Thread reader =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    SecretSnapshot snap = store.snapshot();
                    String user = snap.get("username").orElseThrow().asString();
                    String pass = snap.find("password").asString();
                    if (!pass.equals("p" + user.substring(1))) {
                      mixed.incrementAndGet();
                    }
                    reads.incrementAndGet();
                  }
                },
                "soak-reader-" + r);
        reader.start();
        readers.add(reader);
      }
      while (rotations < MIN_ROTATIONS || System.nanoTime() < deadline) {
        rotations++;
        writer.writeStrings(pair(rotations));
        String expected = "u" + rotations;
        await()
            .atMost(Duration.ofSeconds(10))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> store.require("username").asString().equals(expected));
      }
      stop.set(true);
      for (Thread reader : readers) {
        reader.join();
      }
      assertThat(mixed.get()).isZero();
      assertThat(reads.get()).isGreaterThan(rotations);
      assertThat(store.snapshot().get("password").orElseThrow().asString())
          .isEqualTo("p" + rotations);
      assertThat(store.snapshot().revision()).isEqualTo(rotations + 1);
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    }
  }

  static Map<String, String> pair(int i) {
    return Map.of("username", "u" + i, "password", "p" + i);
  }
}
