package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecretSettingsTests {

  @TempDir Path tmp;

  @Test
  void unsetOptionsAreResolvedToTheirDefaults() {
    SecretSettings watching = SecretSettings.builder().build();
    assertThat(watching.watch()).isTrue();
    assertThat(watching.pollInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(watching.quietPeriod()).isEqualTo(Duration.ofMillis(50));
    assertThat(watching.maxSecretBytes()).isEqualTo(1024 * 1024);
    assertThat(watching.maxSecretBytesSetting()).isEqualTo("maxSecretBytes(long)");
    assertThat(watching.trimTrailingNewline()).isFalse();
    assertThat(SecretSettings.builder().watch(false).build().pollInterval()).isZero();
  }

  @Test
  void mountsAreNormalizedAndCarryTheJsonFlag() {
    SecretSettings.Mount mount =
        SecretSettings.Mount.of(Path.of("/etc/secrets/./app"))
            .withPrefix("app.")
            .withJsonExpand(true);
    assertThat(mount)
        .isEqualTo(new SecretSettings.Mount(Path.of("/etc/secrets/app"), "app.", false, true));
    assertThat(SecretSettings.builder().mount(mount).build().mounts()).containsExactly(mount);
    assertThat(SecretSettings.builder().mount(mount).build())
        .isEqualTo(SecretSettings.builder().mount(mount).build());
  }

  static Stream<Arguments> refusedOptions() {
    return Stream.of(
        Arguments.of(
            "negative poll interval",
            (Consumer<SecretSettings.Builder>) b -> b.pollInterval(Duration.ofSeconds(-1)),
            "poll interval cannot be negative: PT-1S"),
        Arguments.of(
            "poll interval under 10 ms",
            (Consumer<SecretSettings.Builder>) b -> b.pollInterval(Duration.ofMillis(5)),
            "poll interval must be 0 (off) or at least 10ms: PT0.005S"),
        Arguments.of(
            "poll interval twice",
            (Consumer<SecretSettings.Builder>)
                b -> b.pollInterval(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(2)),
            "poll interval was already set to PT1S"),
        Arguments.of(
            "negative quiet period",
            (Consumer<SecretSettings.Builder>) b -> b.quietPeriod(Duration.ofMillis(-1)),
            "quiet period cannot be negative: PT-0.001S"),
        Arguments.of(
            "zero size limit",
            (Consumer<SecretSettings.Builder>) b -> b.maxSecretBytes(0),
            "maximum secret size must be between 1 and 2 GiB: 0"),
        Arguments.of(
            "size limit twice",
            (Consumer<SecretSettings.Builder>) b -> b.maxSecretBytes(10).maxSecretBytes(20),
            "maximum secret size was already set to 10"),
        Arguments.of(
            "same mount twice",
            (Consumer<SecretSettings.Builder>)
                b ->
                    b.mount(SecretSettings.Mount.of(Path.of("/a")))
                        .mount(SecretSettings.Mount.of(Path.of("/a"))),
            "mount was already added: /a"),
        Arguments.of(
            "blank setting name",
            (Consumer<SecretSettings.Builder>) b -> b.maxSecretBytesSetting(" "),
            "setting name cannot be blank"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedOptions")
  void optionsAreCheckedAsTheyAreSet(
      String label, Consumer<SecretSettings.Builder> setting, String message) {
    assertThatThrownBy(() -> setting.accept(SecretSettings.builder())).hasMessage(message);
  }

  @Test
  void builderTakesWholeSettingsAndRefusesToSetThemTwice() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("password", "pw\n"));
    SecretSettings settings =
        SecretSettings.builder()
            .mount(SecretSettings.Mount.of(volume).withPrefix("db."))
            .watch(false)
            .trimTrailingNewline(true)
            .build();
    try (SecretStore store = SecretStore.builder().settings(settings).build()) {
      assertThat(store.require("db.password").asString()).isEqualTo("pw");
      assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.NONE);
    }
    assertThatThrownBy(() -> SecretStore.builder().settings(settings).settings(settings))
        .hasMessageStartingWith("mount was already added");
    assertThatThrownBy(
            () ->
                SecretStore.builder().maxSecretBytes(10).settings(SecretSettings.builder().build()))
        .hasMessage("maximum secret size was already set to 10");
  }

  @Test
  void oversizeMessageNamesTheSettingOfTheIntegration() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("big", "x".repeat(100)));
    assertThatThrownBy(
            () -> SecretStore.builder().mount(volume).maxSecretBytes(10).watch(false).build())
        .hasMessageContaining("raise maxSecretBytes(long) if this file really is a secret");
    SecretSettings settings =
        SecretSettings.builder()
            .mount(SecretSettings.Mount.of(volume))
            .watch(false)
            .maxSecretBytes(10)
            .maxSecretBytesSetting("my.framework.max-bytes")
            .build();
    assertThatThrownBy(() -> SecretStore.builder().settings(settings).build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "over the limit of 10 bytes; raise my.framework.max-bytes if this file really is a secret");
  }
}
