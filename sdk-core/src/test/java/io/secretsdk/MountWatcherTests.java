package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher registers the directories the last read listed, never walking the mount itself: a
 * directory gone since that read is skipped (not taken for a watch limit), a read that did not get
 * through its walk keeps the watches and the root, a missing root is awaited in its ancestor.
 */
class MountWatcherTests {

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  // A registry of this test's own, so other classes' watches do not count.
  WatchRegistry registry;
  MountWatcher watcher;
  final AtomicInteger reads = new AtomicInteger();

  @BeforeEach
  void newRegistry() {
    registry = new WatchRegistry(FileSystems.getDefault()::newWatchService);
  }

  @AfterEach
  void closeWatcher() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private MountWatcher watch(Path root) {
    watcher = new MountWatcher(root, registry, countingReads());
    return watcher;
  }

  private MountWatcher.Trigger countingReads() {
    return new MountWatcher.Trigger() {
      @Override
      public void readNow() {
        reads.incrementAndGet();
      }

      @Override
      public void readAfterQuietPeriod() {
        reads.incrementAndGet();
      }
    };
  }

  @Test
  void directoryGoneSinceTheReadIsSkippedNotTakenForAWatchLimit() throws Exception {
    Path root = tmp.resolve("mount");
    Files.createDirectories(root.resolve("kept"));

    boolean added = watch(root).sync(List.of(root, root.resolve("gone"), root.resolve("kept")));

    assertThat(added).isTrue();
    assertThat(registry.watchedDirectories()).isEqualTo(2);
    // Nothing new: nothing added, and the next read's list drops what went away.
    assertThat(watcher.sync(List.of(root, root.resolve("kept")))).isFalse();
    assertThat(watcher.sync(List.of(root))).isFalse();
    assertThat(registry.watchedDirectories()).isEqualTo(1);
  }

  @Test
  void readWithoutAWalkKeepsTheWatchesAndTheRoot() throws Exception {
    Path root = tmp.resolve("mount");
    Files.createDirectories(root.resolve("sub"));
    watch(root).sync(List.of(root, root.resolve("sub")));

    assertThat(watcher.sync(null)).isFalse();
    assertThat(registry.watchedDirectories()).isEqualTo(2);

    MountWatcher other = new MountWatcher(root, registry, countingReads());
    try {
      // A first read that failed before its walk (an oversize file): the root is watched anyway.
      assertThat(other.sync(null)).isTrue();
    } finally {
      other.close();
    }
  }

  @Test
  void missingRootIsAwaitedInItsNearestAncestor() throws Exception {
    Path root = tmp.resolve("not-yet/mount");

    assertThat(watch(root).sync(null)).isTrue();
    assertThat(registry.watchedDirectories()).isEqualTo(1);

    Files.createDirectories(root.getParent());
    await().atMost(Duration.ofSeconds(20)).until(() -> reads.get() > 0);
  }
}
