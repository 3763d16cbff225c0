package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: a clear error naming the file and what to do, never a partial snapshot, never a value.
 */
class SecretStoreErrorTests {

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  String canary;

  @BeforeEach
  void plantCanary(Canaries canaries) {
    canary = canaries.next("value");
  }

  @Test
  void symlinkLeavingTheMountIsRefused() throws Exception {
    Path outside = tmp.resolve("outside");
    Files.writeString(outside, canary);
    Path plain = tmp.resolve("plain");
    PlainDirectoryWriter.of(plain).create("good", "g");
    Files.createSymbolicLink(plain.resolve("escape"), outside);

    assertThatThrownBy(() -> SecretStore.builder().mount(plain).watch(false).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining("link " + plain.resolve("escape") + " resolves outside the mount")
        .hasMessageNotContaining(canary);
  }

  @Test
  void symlinkInsideAGenerationLeavingTheMountIsRefused() throws Exception {
    Path outside = tmp.resolve("outside");
    Files.writeString(outside, canary);
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
    Path generation = volume.resolve(Files.readSymbolicLink(volume.resolve("..data")));
    Files.createSymbolicLink(generation.resolve("b"), outside);

    assertThatThrownBy(() -> SecretStore.builder().mount(volume).watch(false).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining("resolves outside the mount")
        .hasMessageNotContaining(canary);
  }

  @Test
  void symlinkWithinTheMountIsFollowed() throws Exception {
    Path plain = tmp.resolve("plain");
    PlainDirectoryWriter.of(plain).create("real", "r");
    Files.createSymbolicLink(plain.resolve("alias"), Path.of("real"));
    try (SecretStore store = SecretStore.builder().mount(plain).watch(false).build()) {
      assertThat(store.require("alias").asString()).isEqualTo("r");
    }
  }

  @Test
  void oversizeFileNamesTheFileItsSizeAndTheLimit() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("small", "ok", "big", canary));

    assertThatThrownBy(
            () -> SecretStore.builder().mount(volume).maxSecretBytes(10).watch(false).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining("file " + volume.resolve("big") + " is " + canary.length() + " bytes")
        .hasMessageContaining("over the limit of 10 bytes")
        .hasMessageNotContaining(canary);
  }

  @Test
  void invalidUtf8IsAnErrorOnlyWhenAskedForText() {
    Path volume = tmp.resolve("vol");
    byte[] latin1 = ("caf\u00e9-" + canary).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    KubernetesVolumeWriter.kubelet(volume).write(Map.of("binary", latin1));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      Secret secret = store.require("binary");
      assertThat(secret.bytes()).isEqualTo(latin1);
      assertThat(secret.isText()).isFalse();
      assertThatThrownBy(secret::asString)
          .isInstanceOf(SecretException.class)
          .hasMessageContaining("secret 'binary'")
          .hasMessageContaining("not valid UTF-8")
          .hasMessageNotContaining(canary);
    }
  }

  @Test
  void missingMountFailsTheBuild() throws Exception {
    Path missing = tmp.resolve("nope");
    // Built in a thread group of its own: a thread the failed build left would be in it.
    assertThat(
            StoreThreads.startedBy(
                () ->
                    assertThatThrownBy(() -> SecretStore.builder().mount(missing).build())
                        .isInstanceOf(SecretReadException.class)
                        .hasMessageContaining("directory " + missing + " does not exist")
                        .hasMessageContaining("declare the mount optional")))
        .isEmpty();
  }

  @Test
  void danglingLinkIsReported() throws Exception {
    Path plain = tmp.resolve("plain");
    PlainDirectoryWriter.of(plain).create("good", canary);
    Files.createSymbolicLink(plain.resolve("dangling"), Path.of("gone"));

    assertThatThrownBy(() -> SecretStore.builder().mount(plain).watch(false).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "link " + plain.resolve("dangling") + " points to gone, which does not exist")
        .hasMessageNotContaining(canary);
  }

  @Test
  void optionalMissingMountStartsEmptyAndSaysSoInHealth() {
    Path missing = tmp.resolve("later");
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
    try (SecretStore store =
        SecretStore.builder().optionalMount(missing).mount(volume).watch(false).build()) {
      assertThat(store.snapshot().names()).containsExactly("a");
      SecretStoreHealth health = store.health();
      assertThat(health.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
      assertThat(health.sources().get(0).lastError())
          .get()
          .asString()
          .contains("optional directory " + missing + " does not exist (yet)")
          .doesNotContain("declare the mount optional");
      assertThat(health.sources().get(1).status()).isEqualTo(SecretStoreHealth.Status.UP);
    }
  }

  @Test
  void failedRefreshKeepsTheLastGoodSnapshotAndReportsIt() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "u1", "password", canary));
    try (SecretStore store =
        SecretStore.builder().mount(volume).maxSecretBytes(64).watch(false).build()) {
      SecretSnapshot good = store.snapshot();
      // A new generation where one file is too big: nothing of it may be published.
      writer.writeStrings(Map.of("username", "u2", "password", canary + "x".repeat(100)));
      assertThatThrownBy(store::refresh)
          .isInstanceOf(SecretReadException.class)
          .hasMessageContaining("over the limit of 64 bytes")
          .hasMessageNotContaining(canary);
      assertThat(store.snapshot()).isSameAs(good);
      assertThat(store.require("username").asString()).isEqualTo("u1");
      SecretStoreHealth health = store.health();
      assertThat(health.status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
      assertThat(health.failures()).isEqualTo(1);
      assertThat(health.sources().get(0).consecutiveFailures()).isEqualTo(1);
      assertThat(health.lastError())
          .get()
          .asString()
          .contains("over the limit")
          .doesNotContain(canary);

      writer.writeStrings(Map.of("username", "u3", "password", "fine"));
      assertThat(store.refresh().get("username").orElseThrow().asString()).isEqualTo("u3");
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
      assertThat(store.health().lastError()).isEmpty();
    }
  }

  @Test
  void vanishedMountKeepsTheLastGoodSnapshot() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      writer.deleteVolume();
      assertThatThrownBy(store::refresh).hasMessageContaining("does not exist");
      assertThat(store.require("a").asString()).isEqualTo("1");
    }
  }

  @Test
  void volumeWhoseFirstGenerationIsStillBeingWrittenIsNotReadAsEmpty() throws Exception {
    Path volume = tmp.resolve("vol");
    try (SecretStore store = SecretStore.builder().optionalMount(volume).watch(false).build()) {
      // The kubelet has made the timestamped directory; ..data does not exist yet.
      Files.createDirectories(volume.resolve("..2026_01_01_00_00_00.42"));
      Files.writeString(volume.resolve("..2026_01_01_00_00_00.42/a"), "2");
      assertThatThrownBy(store::refresh).hasMessageContaining("no ..data link yet");
      assertThat(store.health().sources().get(0).lastError())
          .get()
          .asString()
          .contains("no ..data link yet");
      Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2026_01_01_00_00_00.42"));
      assertThat(store.refresh().names()).containsExactly("a");
    }
  }

  @Test
  void volumeBeingTornDownIsNotReadAsAnEmptiedDirectory() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1"));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      // Mid-teardown: ..data and the generation are gone, the directory is not.
      Path generation = volume.resolve(Files.readSymbolicLink(volume.resolve("..data")));
      Files.delete(volume.resolve("..data"));
      Files.delete(generation.resolve("a"));
      Files.delete(generation);
      Files.delete(volume.resolve("a"));
      assertThatThrownBy(store::refresh).hasMessageContaining("lost its ..data link");
      assertThat(store.require("a").asString()).isEqualTo("1");
    }
  }
}
