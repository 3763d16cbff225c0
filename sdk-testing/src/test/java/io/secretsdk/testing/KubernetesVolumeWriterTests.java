package io.secretsdk.testing;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writer against section 2.1 of the design: the order of the steps is observed through the real
 * {@code WatchService} on the volume (inotify on Linux delivers a directory's events in the order
 * they happened), the layout and modes through the file system.
 */
class KubernetesVolumeWriterTests {

  private static final String TS_DIR = "\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\.\\d+";

  @TempDir Path tmp;

  @Test
  void firstWriteLaysOutTimestampedDirectoryDataLinkAndTopLevelLinks() throws IOException {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);

    assertThat(
            writer.writeStrings(
                Map.of("username", "app", "my-group/my-username", "n", ".secret-file", "d")))
        .isTrue();

    String target = Files.readSymbolicLink(volume.resolve("..data")).toString();
    assertThat(target).matches(TS_DIR);
    assertThat(Files.readSymbolicLink(volume.resolve("username")))
        .isEqualTo(Path.of("..data/username"));
    assertThat(Files.readSymbolicLink(volume.resolve("my-group")))
        .isEqualTo(Path.of("..data/my-group"));
    assertThat(Files.readSymbolicLink(volume.resolve(".secret-file")))
        .isEqualTo(Path.of("..data/.secret-file"));
    assertThat(Files.readString(volume.resolve("my-group/my-username"))).isEqualTo("n");
    assertThat(list(volume))
        .containsExactlyInAnyOrder(target, "..data", "username", "my-group", ".secret-file");
    assertThat(writer.generations()).isEqualTo(1);
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void directoryIs0755AndFilesGetTheDefaultMode() throws IOException {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume)
        .defaultMode("r--------")
        .writeStrings(Map.of("key", "v", "nested/key", "w"));
    Path generation = volume.resolve(Files.readSymbolicLink(volume.resolve("..data")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(generation)))
        .isEqualTo("rwxr-xr-x");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(generation.resolve("key"))))
        .isEqualTo("r--------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(generation.resolve("nested/key"))))
        .isEqualTo("r--------");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void kubeletOrderCommitsBeforeLinkingThenUnlinksThenRemovesTheOldDirectory() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "u1", "gone", "x"));
    String oldDir = Files.readSymbolicLink(volume.resolve("..data")).toString();

    List<String> events =
        eventsOf(
            volume,
            () -> writer.writeStrings(Map.of("username", "u2", "added", "y", ".dot", "z")),
            "DELETE " + oldDir);
    String newDir = Files.readSymbolicLink(volume.resolve("..data")).toString();

    assertThat(events)
        .containsSubsequence(
            "CREATE " + newDir,
            "CREATE ..data_tmp",
            "CREATE ..data",
            "CREATE added",
            "DELETE gone",
            "DELETE " + oldDir);
    assertThat(events).containsSubsequence("CREATE ..data", "CREATE .dot", "DELETE gone");
    assertThat(events).doesNotContain("CREATE username", "DELETE username");
    assertThat(list(volume))
        .containsExactlyInAnyOrder(newDir, "..data", "username", "added", ".dot");
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void csiOrderLinksNewNamesBeforeTheCommit() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.csiDriver(volume);
    writer.writeStrings(Map.of("username", "u1", "gone", "x"));
    String oldDir = Files.readSymbolicLink(volume.resolve("..data")).toString();

    List<String> events =
        eventsOf(
            volume,
            () -> writer.writeStrings(Map.of("username", "u2", "added", "y")),
            "DELETE " + oldDir);
    String newDir = Files.readSymbolicLink(volume.resolve("..data")).toString();

    assertThat(events)
        .containsSubsequence(
            "CREATE " + newDir,
            "CREATE added",
            "CREATE ..data_tmp",
            "CREATE ..data",
            "DELETE gone",
            "DELETE " + oldDir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"kubelet", "csi"})
  void everyItemIsWrittenBeforeTheCommit(String order) throws IOException {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer =
        order.equals("kubelet")
            ? KubernetesVolumeWriter.kubelet(volume)
            : KubernetesVolumeWriter.csiDriver(volume);
    writer.writeStrings(Map.of("a", "1"));
    Path before = Files.readSymbolicLink(volume.resolve("..data"));

    // "clash" cannot be both a file and a directory: step 2 fails whichever item comes first.
    assertThatThrownBy(
            () -> writer.writeStrings(Map.of("a", "2", "clash", "x", "clash/inner", "y")))
        .hasMessageContaining("could not write volume");

    assertThat(Files.readSymbolicLink(volume.resolve("..data")))
        .as("..data not swapped")
        .isEqualTo(before);
    assertThat(Files.exists(volume.resolve("..data_tmp"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.readString(volume.resolve("a"))).isEqualTo("1");
    assertThat(Files.exists(volume.resolve("clash"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void sameBytesWriteNothing() throws IOException {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1", "b/c", "2"));
    List<String> before = list(volume);

    assertThat(writer.writeStrings(Map.of("b/c", "2", "a", "1"))).isFalse();

    assertThat(list(volume)).isEqualTo(before);
    assertThat(writer.generations()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/abs", "..hidden", "a/../b", "a/./b", "sp ace", "", "a//b", "a/"})
  void itemPathsAreValidatedAsTheKubeletDoes(String path) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("vol"));
    assertThatThrownBy(() -> writer.writeStrings(Map.of(path, "x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.exists(tmp.resolve("vol"))).isFalse();
  }

  @Test
  void deleteVolumeRemovesEverything() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1", "b/c", "2"));
    writer.deleteVolume();
    assertThat(Files.exists(volume, LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  /**
   * Runs {@code write} with a watch on {@code volume} and returns "KIND name" until {@code last}.
   */
  private static List<String> eventsOf(Path volume, Runnable write, String last) throws Exception {
    List<String> seen = new ArrayList<>();
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      volume.register(watcher, ENTRY_CREATE, ENTRY_DELETE);
      write.run();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!seen.contains(last) && System.nanoTime() < deadline) {
        WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        if (key == null) {
          continue;
        }
        for (WatchEvent<?> event : key.pollEvents()) {
          String kind =
              event.kind() == ENTRY_CREATE
                  ? "CREATE"
                  : event.kind() == ENTRY_DELETE ? "DELETE" : event.kind().name();
          for (int i = 0; i < event.count(); i++) {
            seen.add(kind + " " + event.context());
          }
        }
        key.reset();
      }
    }
    assertThat(seen).as("events until " + last).contains(last);
    return seen;
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
