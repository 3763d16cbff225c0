package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A generation read while the kubelet swaps {@code ..data} is all-old or all-new, never a mix. */
class GenerationConsistencyTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;

  @Test
  void readsRacingManySwapsNeverMixGenerations() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(pair(0));
    MountReader reader = new MountReader(volume, "", new ReadSettings(1024 * 1024, false));
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Thread swapper =
        new Thread(
            () -> {
              try {
                for (int i = 1; i <= 1500; i++) {
                  writer.writeStrings(pair(i));
                }
              } catch (Throwable t) {
                writerFailure.set(t);
              } finally {
                done.set(true);
              }
            },
            "test-swapper");
    swapper.start();
    int reads = 0;
    int retriesExhausted = 0;
    AtomicInteger mixed = new AtomicInteger();
    java.util.Set<String> generationsSeen = new java.util.HashSet<>();
    while (!done.get() || reads < 200) {
      Map<String, Secret> generation;
      try {
        generation = reader.read();
      } catch (SecretReadException e) {
        // Allowed only as "kept moving": never a partial result.
        assertThat(e.getMessage()).contains("changed during each of");
        retriesExhausted++;
        continue;
      }
      reads++;
      String user = generation.get("username").asString();
      String pass = generation.get("password").asString();
      String nested = generation.get("group.member").asString();
      if (!pass.equals("p" + user.substring(1)) || !nested.equals("n" + user.substring(1))) {
        mixed.incrementAndGet();
      }
      generationsSeen.add(user);
    }
    swapper.join();
    assertThat(writerFailure.get()).isNull();
    assertThat(mixed.get()).isZero();
    assertThat(reads).isGreaterThanOrEqualTo(200);
    // The reads really raced the writer: they saw many distinct generations.
    assertThat(generationsSeen.size()).isGreaterThan(10);
    assertThat(retriesExhausted).isLessThan(reads);
  }

  static Map<String, String> pair(int i) {
    return Map.of("username", "u" + i, "password", "p" + i, "group/member", "n" + i);
  }
}
