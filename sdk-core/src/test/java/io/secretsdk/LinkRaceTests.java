package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure 3 of the reliability issue: a link swapped between an inside and an outside target while
 * a read runs must never get outside content published. Runs for a few seconds by default and for
 * {@value SoakSettings#PROPERTY} seconds when that property is set.
 */
@Tag("soak")
class LinkRaceTests {

  static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;
  String outsideValue;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;

  @BeforeEach
  void captureLogs(Canaries canaries, LogCapture logs) {
    this.logs = logs;
    outsideValue = canaries.next("outside");
  }

  @Test
  void directoryLinkSwappedToTheOutsideNeverPublishesOutsideContent() throws Exception {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("key"), outsideValue);
    Path mount = tmp.resolve("mount");
    Files.createDirectories(mount.resolve("inside"));
    Files.writeString(mount.resolve("inside/key"), "inside");
    Files.createSymbolicLink(mount.resolve("sub"), Path.of("inside"));

    SecretStore store = SecretStore.builder().mount(mount).watch(false).build();
    long published =
        race(store, mount.resolve("sub"), Path.of("inside"), outside, mount.resolve("staged"));
    assertThat(published).isZero();
  }

  @Test
  void timestampedDirectorySwappedForALinkToTheOutsideNeverPublishesOutsideContent()
      throws Exception {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("key"), outsideValue);
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("key", "inside"));
    String generation = Files.readSymbolicLink(volume.resolve("..data")).toString();
    // ..data stays; the directory it names is swapped with a link to the outside and back.
    Path real = volume.resolve(generation);
    Path parked = volume.resolve("..parked");
    Files.move(real, parked);
    Files.createSymbolicLink(real, Path.of("..parked"));

    SecretStore store = SecretStore.builder().mount(volume).watch(false).build();
    long published = race(store, real, Path.of("..parked"), outside, volume.resolve("..staged"));
    assertThat(published).isZero();
  }

  /** Swaps {@code link} between the two targets while refreshing; counts outside publications. */
  private long race(SecretStore store, Path link, Path inside, Path outside, Path staged)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong swaps = new AtomicLong();
    Thread swapper =
        new Thread(
            () -> {
              int i = 0;
              while (!stop.get()) {
                try {
                  Files.deleteIfExists(staged);
                  Files.createSymbolicLink(staged, (i++ % 2 == 0) ? outside : inside);
                  Files.move(staged, link, StandardCopyOption.ATOMIC_MOVE);
                  swaps.incrementAndGet();
                } catch (Exception e) {
                  // Retry.
                }
              }
            },
            "test-link-swapper");
    AtomicLong outsidePublished = new AtomicLong();
    AtomicLong refreshes = new AtomicLong();
    swapper.start();
    try {
      Duration runFor = SoakSettings.duration(3);
      assertTimeoutPreemptively(
          runFor.plus(BOUND),
          () -> {
            long end = System.nanoTime() + runFor.toNanos();
            while (System.nanoTime() < end) {
              try {
                store.refresh();
              } catch (SecretReadException e) {
                assertThat(e.getMessage()).doesNotContain(outsideValue);
              }
              refreshes.incrementAndGet();
              for (Secret s : store.snapshot().asMap().values()) {
                if (s.valueEquals(outsideValue.getBytes())) {
                  outsidePublished.incrementAndGet();
                }
              }
            }
          });
    } finally {
      stop.set(true);
      swapper.join(BOUND.toMillis());
      assertTimeoutPreemptively(BOUND, store::close);
    }
    System.out.printf(
        "link race: %d swaps, %d refreshes, %d outside values published%n",
        swaps.get(), refreshes.get(), outsidePublished.get());
    assertThat(swaps.get()).isPositive();
    assertThat(refreshes.get()).isPositive();
    return outsidePublished.get();
  }
}
