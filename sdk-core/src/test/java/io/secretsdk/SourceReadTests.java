package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One read is one walk: its content, the fingerprint the poller compares and the directories the
 * watcher registers all come from the same scan, and that fingerprint is the one a later poll of
 * the unchanged mount computes.
 */
class SourceReadTests {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  String canary;

  @BeforeEach
  void plantCanary(Canaries canaries) {
    canary = canaries.next("value");
  }

  /** Mount layouts, each with a change that a poll must notice. */
  enum Layout {
    PLAIN_DIRECTORIES {
      @Override
      void write(Path root, String canary) throws IOException {
        PlainDirectoryWriter writer = PlainDirectoryWriter.of(root);
        writer.create("a", canary);
        writer.create(".dot", "d");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/b"), canary);
        Files.writeString(root.resolve("sub/deeper/c"), "c");
      }

      @Override
      void change(Path root) throws IOException {
        replace(root, "sub/b", "a longer value than before");
      }
    },
    VOLUME_WITH_NESTED_ITEMS {
      @Override
      void write(Path root, String canary) {
        KubernetesVolumeWriter.kubelet(root)
            .writeStrings(
                Map.of("user", canary, "my-group/my-username", "u", ".secret-file", canary));
      }

      @Override
      void change(Path root) {
        KubernetesVolumeWriter.kubelet(root)
            .writeStrings(Map.of("user", "v2", "my-group/my-username", "u2", ".secret-file", "s"));
      }
    },
    FOLDER_OF_VOLUMES {
      @Override
      void write(Path root, String canary) throws IOException {
        KubernetesVolumeWriter.kubelet(root.resolve("db")).writeStrings(Map.of("password", canary));
        KubernetesVolumeWriter.kubelet(root.resolve("api")).writeStrings(Map.of("token", canary));
        Files.writeString(root.resolve("readme"), "plain");
      }

      @Override
      void change(Path root) {
        KubernetesVolumeWriter.kubelet(root.resolve("db")).writeStrings(Map.of("password", "p2"));
      }
    },
    LINKS {
      @Override
      void write(Path root, String canary) throws IOException {
        Files.createDirectories(root.resolve("v2"));
        Files.writeString(root.resolve("v2/key"), canary);
        Files.createSymbolicLink(root.resolve("current"), Path.of("v2"));
        Files.createSymbolicLink(root.resolve("pw"), Path.of("v2/key"));
        KubernetesVolumeWriter.kubelet(root.resolve("vol")).writeStrings(Map.of("k", canary));
        Files.createSymbolicLink(root.resolve("via-link"), Path.of("vol"));
      }

      @Override
      void change(Path root) throws IOException {
        replace(root, "v2/key", "a longer value than before");
      }
    },
    WITH_PROBLEMS {
      @Override
      void write(Path root, String canary) throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve("ok"), canary);
        Files.createSymbolicLink(root.resolve("escape"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("."));
        Files.createDirectories(root.resolve("half/..2026_11_30_00_00_00.1"));
        KubernetesVolumeWriter.kubelet(root.resolve("vol")).writeStrings(Map.of("k", canary));
        // A problem inside a generation: only a read, which walks the generation, meets it.
        Path generation =
            root.resolve("vol").resolve(Files.readSymbolicLink(root.resolve("vol/..data")));
        Files.createSymbolicLink(generation.resolve("evil"), Path.of("/etc"));
      }

      @Override
      void change(Path root) throws IOException {
        replace(root, "ok", "a longer value than before");
      }
    };

    abstract void write(Path root, String canary) throws IOException;

    /** Changes the mount in one atomic step, so a poll sees it before or after, never half. */
    abstract void change(Path root) throws IOException;

    /** Renames a new file over {@code relative}, as Vault Agent does, staged beside the mount. */
    static void replace(Path root, String relative, String value) throws IOException {
      Path staged = root.resolveSibling("staged");
      Files.writeString(staged, value);
      Files.move(staged, root.resolve(relative), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void readFingerprintEqualsWhatAPollOfTheUnchangedMountComputes(Layout layout) throws Exception {
    Path root = tmp.resolve("mount");
    layout.write(root, canary);
    MountReader reader = new MountReader(root, "", ReadSettings.defaults());

    SourceRead read = reader.readAll();

    assertThat(read.fingerprint()).isNotEmpty().isEqualTo(reader.fingerprint());
    assertThat(reader.readAll().fingerprint()).isEqualTo(read.fingerprint());
    assertThat(read.directories()).isNotNull().startsWith(root);
    if (layout == Layout.WITH_PROBLEMS) {
      assertThat(read.failure()).isNotNull();
      assertThat(read.content()).isNull();
      assertThat(read.fingerprint())
          .contains("link " + root.resolve("escape") + " resolves outside the mount")
          .contains("link " + root.resolve("loop") + " points back to")
          .contains("no ..data link yet")
          .doesNotContain("evil")
          .doesNotContain(canary);
      assertThat(read.failure().getMessage()).doesNotContain(canary);
    } else {
      assertThat(read.failure()).isNull();
      assertThat(read.content()).isNotEmpty();
      assertThat(read.fingerprint()).doesNotContain(canary);
    }

    layout.change(root);
    assertThat(reader.fingerprint()).isNotEqualTo(read.fingerprint());
    assertThat(reader.readAll().fingerprint()).isEqualTo(reader.fingerprint());
  }

  @Test
  void readListsTheDirectoriesAWatcherRegisters() throws Exception {
    Path root = tmp.resolve("mount");
    Layout.LINKS.write(root, canary);
    Files.createDirectories(root.resolve("v2/empty"));

    SourceRead read = new MountReader(root, "", ReadSettings.defaults()).readAll();

    // Plain directories and volume directories, as shown under the mount (a directory reached
    // through a link is watched under the link's name too); never the timestamped directories.
    assertThat(read.directories())
        .containsExactly(
            root,
            root.resolve("current"),
            root.resolve("current/empty"),
            root.resolve("v2"),
            root.resolve("v2/empty"),
            root.resolve("via-link"),
            root.resolve("vol"));
  }

  @Test
  void missingMountReadsWithoutDirectoriesAndTheFingerprintOfAPoll() {
    Path root = tmp.resolve("absent");
    MountReader reader = new MountReader(root, "", ReadSettings.defaults(), true);

    SourceRead read = reader.readAll();

    assertThat(read.failure()).hasMessageContaining("does not exist (yet)");
    assertThat(read.directories()).isNull();
    assertThat(read.fingerprint()).isEqualTo(reader.fingerprint());
  }

  /** Counts the walks of a mount by kind. */
  static final class ScanCounter implements MountScan.Observer {
    final Map<MountScan.Reach, AtomicInteger> started = new EnumMap<>(MountScan.Reach.class);

    ScanCounter() {
      for (MountScan.Reach reach : MountScan.Reach.values()) {
        started.put(reach, new AtomicInteger());
      }
    }

    @Override
    public void beforeOpeningDirectory(Path shown) {}

    @Override
    public void scanStarted(MountScan.Reach reach) {
      started.get(reach).incrementAndGet();
    }

    int reads() {
      return started.get(MountScan.Reach.VALUES).get();
    }

    int polls() {
      return started.get(MountScan.Reach.IDENTITIES).get();
    }
  }

  @Test
  void eachWatchedRefreshWalksTheMountOnce() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "u0", "password", canary));
    ScanCounter scans = new ScanCounter();
    WatchRegistry registry = new WatchRegistry(FileSystems.getDefault()::newWatchService);
    // No poll during the test: every walk is a refresh's.
    SecretStoreBuilder builder =
        SecretStore.builder().mount(volume).pollInterval(Duration.ofHours(1));
    try (SecretStore store = LiveSecretStore.start(builder.resolve(), registry, scans)) {
      for (int i = 1; i <= 20; i++) {
        String want = "p" + i;
        writer.writeStrings(Map.of("username", "u" + i, "password", want));
        await().atMost(WAIT).until(() -> store.snapshot().find("password").asString().equals(want));
      }
      // A refresh counts itself before it walks, so the two are equal between refreshes (a read
      // queued by the last events may still be running); with a second walk per refresh the walks
      // would outnumber the refreshes for good.
      await().atMost(WAIT).until(() -> scans.reads() == store.health().refreshes());
      assertThat(scans.reads()).isGreaterThanOrEqualTo(21);
      assertThat(scans.polls()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Layout.class,
      names = {"PLAIN_DIRECTORIES", "FOLDER_OF_VOLUMES", "LINKS"})
  void pollsOfAnUnchangedMountDoNotReadIt(Layout layout) throws Exception {
    Path root = tmp.resolve("mount");
    layout.write(root, canary);
    ScanCounter scans = new ScanCounter();
    SecretStoreBuilder builder =
        SecretStore.builder().mount(root).watch(false).pollInterval(Duration.ofMillis(20));
    try (SecretStore store =
        LiveSecretStore.start(builder.resolve(), WatchRegistry.shared(), scans)) {
      int polls = scans.polls();
      await().atMost(WAIT).until(() -> scans.polls() >= polls + 5);
      assertThat(scans.reads()).isEqualTo(1);
      assertThat(store.health().refreshes()).isEqualTo(1);

      layout.change(root);
      await().atMost(WAIT).until(() -> scans.reads() == 2);
      int after = scans.polls();
      await().atMost(WAIT).until(() -> scans.polls() >= after + 5);
      assertThat(scans.reads()).isEqualTo(2);
      assertThat(store.health().refreshes()).isEqualTo(2);
    }
  }

  @Test
  void readOfAVolumeRecordsNoGenerationFileInTheFingerprint() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", canary, "b/c", "x"));
    SourceRead read = new MountReader(volume, "", ReadSettings.defaults()).readAll();
    List<String> lines = read.fingerprint().lines().toList();
    assertThat(lines).containsExactly(volume + "/", volume + "->" + target(volume));
  }

  private static String target(Path volume) throws IOException {
    return Files.readSymbolicLink(volume.resolve("..data")).toString();
  }
}
