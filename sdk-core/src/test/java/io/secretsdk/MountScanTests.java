package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one walk's rules: loops, escaping links, the depth limit, vanished directories and name
 * collisions, each worded the same whether met by a read, a poll or the watcher.
 */
class MountScanTests {

  @TempDir Path tmp;
  String canary;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;

  @BeforeEach
  void captureLogs(Canaries canaries, LogCapture logs) {
    this.logs = logs;
    canary = canaries.next("value");
  }

  private MountScan scan(Path root, MountScan.Reach reach, MountScan.Observer observer)
      throws IOException {
    ReadSettings settings = ReadSettings.defaults();
    return new MountScan(
            root,
            root.toRealPath(),
            "",
            reach,
            new SecretFileReader("mount:" + root, settings),
            new HashSet<>(),
            observer,
            new BoundedRead.Tracker())
        .run();
  }

  @Test
  void linkChainThatLoopsIsReportedNamingTheLink() throws Exception {
    Path dir = tmp.resolve("plain");
    PlainDirectoryWriter.of(dir).create("key", canary);
    Files.createSymbolicLink(dir.resolve("x"), Path.of("y"));
    Files.createSymbolicLink(dir.resolve("y"), Path.of("x"));

    assertThatThrownBy(() -> new MountReader(dir, "", ReadSettings.defaults()).read())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "link "
                + dir.resolve("x")
                + " passes through more than "
                + MountScan.MAX_LINK_HOPS
                + " links: a loop");
  }

  @Test
  void linkToAnAncestorIsALoopButALinkToASiblingIsRead() throws Exception {
    Path dir = tmp.resolve("plain");
    Files.createDirectories(dir.resolve("v2/deep"));
    Files.writeString(dir.resolve("v2/key"), "k");
    Files.createSymbolicLink(dir.resolve("current"), Path.of("v2"));
    Map<String, Secret> read = new MountReader(dir, "", ReadSettings.defaults()).read();
    assertThat(read).containsOnlyKeys("current.key", "v2.key");

    Files.createSymbolicLink(dir.resolve("v2/deep/up"), Path.of("../.."));
    assertThatThrownBy(() -> new MountReader(dir, "", ReadSettings.defaults()).read())
        .hasMessageContaining(
            "link "
                + dir.resolve("current/deep/up")
                + " points back to "
                + dir
                + ", which contains it: a loop");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "../outside", "../../..", "/etc/passwd", "sub/../../outside"})
  void linkLeavingTheMountIsRefusedEverywhere(String target) throws Exception {
    Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(tmp.resolve("outside/key"), canary);
    Path dir = tmp.resolve("plain");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("good"), "g");
    Files.createSymbolicLink(dir.resolve("escape"), Path.of(target));
    String message =
        "link " + dir.resolve("escape") + " resolves outside the mount " + dir.toRealPath();

    assertThatThrownBy(() -> new MountReader(dir, "", ReadSettings.defaults()).read())
        .hasMessageContaining(message);
    for (MountScan.Reach reach : MountScan.Reach.values()) {
      assertThat(scan(dir, reach, MountScan.Observer.NONE).problems())
          .extracting(MountScan.Problem::message)
          .anyMatch(m -> m.startsWith(message));
    }
    assertThat(new MountReader(dir, "", ReadSettings.defaults()).fingerprint()).contains(message);
  }

  @Test
  void absoluteLinkInsideTheMountIsRead() throws Exception {
    Path dir = tmp.resolve("plain");
    Files.createDirectories(dir.resolve("store"));
    Files.writeString(dir.resolve("store/pw"), "v");
    Files.createSymbolicLink(dir.resolve("pw"), dir.toRealPath().resolve("store/pw"));
    assertThat(new MountReader(dir, "", ReadSettings.defaults()).read())
        .containsOnlyKeys("pw", "store.pw");
  }

  @Test
  void directoriesNestUpToTheDepthLimitAndOneLevelMoreIsNamed() throws Exception {
    Path dir = tmp.resolve("plain");
    Path deepest = dir;
    for (int i = 0; i < MountScan.MAX_DEPTH; i++) {
      deepest = deepest.resolve("d");
    }
    Files.createDirectories(deepest);
    Files.writeString(deepest.resolve("key"), "v");
    MountReader reader = new MountReader(dir, "", ReadSettings.defaults());
    assertThat(reader.read()).containsOnlyKeys("d.".repeat(MountScan.MAX_DEPTH) + "key");
    assertThat(reader.readAll().directories()).hasSize(MountScan.MAX_DEPTH + 1).contains(deepest);

    Files.createDirectories(deepest.resolve("d"));
    String message = MountScan.tooDeep(deepest.resolve("d"));
    assertThatThrownBy(reader::read).hasMessageContaining(message);
    assertThat(reader.fingerprint()).contains(message);
    assertThat(reader.readAll().directories())
        .hasSize(MountScan.MAX_DEPTH + 1)
        .doesNotContain(deepest.resolve("d"));
  }

  @Test
  void directoryVanishingMidScanIsReportedTheSameWayByEveryWalk() throws Exception {
    Path dir = tmp.resolve("plain");
    Path sub = dir.resolve("sub");
    MountScan.Observer vanish =
        shown -> {
          if (shown.equals(sub)) {
            deleteTree(sub);
          }
        };
    String message = MountScan.vanished(sub);

    recreate(sub);
    MountReader reader = new MountReader(dir, "", ReadSettings.defaults(), false, vanish);
    assertThatThrownBy(reader::read)
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(message);
    recreate(sub);
    assertThat(reader.fingerprint()).contains("!" + message);
    for (MountScan.Reach reach : MountScan.Reach.values()) {
      recreate(sub);
      MountScan scan = scan(dir, reach, vanish);
      assertThat(scan.problems()).extracting(MountScan.Problem::message).containsExactly(message);
      assertThat(scan.directories()).containsExactly(dir);
    }
  }

  private void recreate(Path sub) throws IOException {
    Files.createDirectories(sub);
    Files.writeString(sub.resolve("key"), canary);
    Files.writeString(sub.getParent().resolve("top"), "t");
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void fileAndDirectoryMappingToOneKeyAreReportedNamingBoth() throws Exception {
    Path dir = tmp.resolve("plain");
    Files.createDirectories(dir.resolve("a"));
    Files.writeString(dir.resolve("a/b"), canary);
    Files.writeString(dir.resolve("a.b"), canary);

    assertThatThrownBy(() -> SecretStore.builder().mount(dir).watch(false).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            dir.resolve("a/b") + " and " + dir.resolve("a.b") + " both map to the key 'a.b'")
        .hasMessageNotContaining(canary);
  }

  @Test
  void volumeItemsCollidingWithADottedKeyAreReported() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a.b", "1", "a/b", "2"));
    assertThatThrownBy(() -> SecretStore.builder().mount(volume).watch(false).build())
        .hasMessageContaining(
            volume.resolve("a/b") + " and " + volume.resolve("a.b") + " both map to the key 'a.b'");
  }

  @Test
  void controlCharactersInNamesAreEscapedInMessagesHealthAndLogs() throws Exception {
    Path dir = tmp.resolve("plain");
    PlainDirectoryWriter.of(dir).create("good", "g");
    String evil = "bad\nWARNING: forged line\r\u001b[31m";
    try (SecretStore store = SecretStore.builder().optionalMount(dir).watch(false).build()) {
      Files.createSymbolicLink(dir.resolve(evil), Path.of("gone"));
      assertThatThrownBy(store::refresh)
          .isInstanceOf(SecretReadException.class)
          .hasMessageContaining("bad\\nWARNING: forged line\\r\\u001b[31m")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u001b"));
      assertThat(store.health().lastError())
          .hasValueSatisfying(m -> assertThat(m).contains("bad\\n").doesNotContain("\n", "\u001b"));
    }
    // Only this test's records: other test classes may log concurrently.
    assertThat(
            logs.records("io.secretsdk").stream()
                .filter(r -> r.message().contains("forged line"))
                .toList())
        .isNotEmpty()
        .allSatisfy(
            r ->
                assertThat(r.message())
                    .contains("bad\\nWARNING")
                    .doesNotContain("\n", "\r", "\u001b"));
  }

  @Test
  void mountReplacedByALinkElsewhereIsNotFollowed() throws Exception {
    Path mount = tmp.resolve("mount");
    PlainDirectoryWriter.of(mount).create("key", "first");
    Path elsewhere = tmp.resolve("elsewhere");
    PlainDirectoryWriter.of(elsewhere).create("key", canary);
    try (SecretStore store = SecretStore.builder().mount(mount).watch(false).build()) {
      Files.move(mount, tmp.resolve("mount-old"));
      Files.createSymbolicLink(mount, elsewhere);

      assertThatThrownBy(store::refresh)
          .isInstanceOf(SecretReadException.class)
          .hasMessageContaining(mount + " now resolves to " + elsewhere.toRealPath())
          .hasMessageContaining("restart to accept the new location");
      assertThat(store.require("key").asString()).isEqualTo("first");
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
    }
  }

  @Test
  void volumeDeletedAndRecreatedAtTheSamePathIsReadAgain() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      KubernetesVolumeWriter.kubelet(volume).deleteVolume();
      assertThatThrownBy(store::refresh).hasMessageContaining("does not exist");
      KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "2"));
      assertThat(store.refresh().find("a").asString()).isEqualTo("2");
    }
  }

  @Test
  void controlCharactersInAKeyNameAreEscapedWhereverTheSecretIsPrinted() throws Exception {
    Path dir = tmp.resolve("plain-names");
    String evil = "k\nWARNING: forged\u001b[31m";
    PlainDirectoryWriter.of(dir).create(evil, "v");
    try (SecretStore store = SecretStore.builder().mount(dir).watch(false).build()) {
      Secret secret = store.require(evil);
      assertThat(secret.toString()).contains("k\\nWARNING").doesNotContain("\n", "\u001b");
      assertThat(secret.origin().toString()).contains("k\\nWARNING").doesNotContain("\n", "\u001b");
      assertThatThrownBy(() -> store.require(evil + "-missing"))
          .isInstanceOf(SecretNotFoundException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u001b"));
    }
  }
}
