package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretReadException;
import io.secretsdk.SecretSettings;
import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * How a {@code secrets:} import and the {@code secretsdk.import.*} properties become core settings.
 */
class SecretsImportSettingsTests {

  private static final Binder EMPTY = new Binder();

  @TempDir Path tmp;

  private static Binder properties(Map<String, String> map) {
    return new Binder(new MapConfigurationPropertySource(map));
  }

  @ParameterizedTest(name = "poll-interval={0}")
  @ValueSource(strings = {"5s", "PT5S", "5000", "5000ms"})
  void pollIntervalPropertyReadsEveryDurationForm(String text) {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            "/etc/db", false, properties(Map.of("secretsdk.import.poll-interval", text)));

    assertThat(resource.settings().pollInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest(name = "[poll-interval={0}]")
  @ValueSource(strings = {"5s", "PT5S", "5000"})
  void pollIntervalOptionReadsEveryDurationForm(String text) {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            "/etc/db/[poll-interval=" + text + "]", false, EMPTY);

    assertThat(resource.settings().pollInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void unsetPropertiesMeanTheCoreDefaults() {
    SecretSettings settings =
        SecretsConfigDataLocationResolver.resolve("/etc/db", false, EMPTY).settings();

    assertThat(settings.pollInterval())
        .isEqualTo(Duration.ofSeconds(SecretSettings.DEFAULT_POLL_SECONDS));
    assertThat(settings.maxSecretBytes()).isEqualTo(SecretSettings.DEFAULT_MAX_SECRET_BYTES);
    assertThat(settings.maxSecretBytesSetting()).isEqualTo("secretsdk.import.max-secret-bytes");
    assertThat(settings.mounts()).containsExactly(SecretSettings.Mount.of(Path.of("/etc/db")));
  }

  @Test
  void badPollIntervalNamesTheProperty() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                SecretsConfigDataLocationResolver.resolve(
                    "/etc/db",
                    false,
                    properties(Map.of("secretsdk.import.poll-interval", "5 sec"))))
        .withMessageStartingWith("secretsdk.import.poll-interval: '5 sec' is not a duration");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                SecretsConfigDataLocationResolver.resolve(
                    "/etc/db/[poll-interval=-1s]", false, EMPTY))
        .withMessageStartingWith(
            "the import option poll-interval in 'secrets:/etc/db/[poll-interval=-1s]': ")
        .withMessageContaining("cannot be negative");
  }

  @Test
  void badSizeLimitNamesTheProperty() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                SecretsConfigDataLocationResolver.resolve(
                    "/etc/db", false, properties(Map.of("secretsdk.import.max-secret-bytes", "0"))))
        .withMessageStartingWith(
            "secretsdk.import.max-secret-bytes: maximum secret size must be between 1 and 2 GiB");
  }

  @Test
  void jsonExpandOptionIsCarriedInTheMount() {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            "/etc/secrets/app/[prefix=app.;json=expand]", false, EMPTY);

    assertThat(resource.jsonExpand()).isTrue();
    assertThat(resource.settings().mounts())
        .containsExactly(
            new SecretSettings.Mount(Path.of("/etc/secrets/app"), "app.", false, true));
    assertThat(
            SecretsConfigDataLocationResolver.resolve("/etc/secrets/app/", false, EMPTY)
                .jsonExpand())
        .isFalse();
    assertThat(
            SecretsConfigDataLocationResolver.resolve("/etc/secrets/app/[json=none]", false, EMPTY)
                .jsonExpand())
        .isFalse();
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                SecretsConfigDataLocationResolver.resolve("/etc/app/[json=flatten]", false, EMPTY))
        .withMessageContaining("'json'")
        .withMessageContaining("expand");
  }

  @Test
  void oversizeFileNamesTheSpringProperty() {
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("huge", "x".repeat(100)));
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            volume + "/[watch=false]",
            false,
            properties(Map.of("secretsdk.import.max-secret-bytes", "64")));

    assertThatThrownBy(() -> SecretsImports.build(resource).close())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining("huge")
        .hasMessageContaining("raise secretsdk.import.max-secret-bytes ")
        .hasMessageNotContaining("maxSecretBytes");
  }

  @Test
  void oversizeFileNamesTheImportOptionWhenItWasSetThere() {
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("huge", "x".repeat(100)));
    String location = volume + "/[watch=false;max-secret-bytes=64]";
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(location, false, EMPTY);

    assertThatThrownBy(() -> SecretsImports.build(resource).close())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "raise the import option max-secret-bytes in 'secrets:" + location + "'");
  }

  @Test
  void storeIsBuiltFromTheImportSettings() {
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("password", "pw\n"));
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            volume + "/[prefix=db.;watch=false]", false, EMPTY);

    try (SecretStore store = SecretsImports.build(resource)) {
      assertThat(store.require("db.password").asString()).isEqualTo("pw");
      assertThat(store.health().sources().get(0).watchMode()).hasToString("NONE");
    }
  }
}
