package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsConfigurationTests {

  private static UnaryOperator<String> of(Map<String, String> values) {
    return values::get;
  }

  private static final UnaryOperator<String> NONE = key -> null;

  @Test
  void nothingIsConfiguredWithoutMounts() {
    assertThat(SecretsConfiguration.from(NONE, NONE)).isNull();
    assertThat(SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "  ")), NONE)).isNull();
  }

  @Test
  void readsPathsPrefixesAndOptionalEntries() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(
                Map.of(
                    "secretsdk.mounts",
                    "/etc/secrets/db=db, /etc/secrets/api=api., optional:/run/secrets")),
            NONE);

    assertThat(c.mounts())
        .containsExactly(
            new SecretSettings.Mount(Path.of("/etc/secrets/db"), "db.", false, false),
            new SecretSettings.Mount(Path.of("/etc/secrets/api"), "api.", false, false),
            new SecretSettings.Mount(Path.of("/run/secrets"), "", true, false));
    assertThat(c.ordinal()).isEqualTo(275);
    assertThat(c.trimTrailingNewline()).isTrue();
  }

  @Test
  void environmentVariablesAreUsedWhenSystemPropertiesAreAbsent() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            NONE,
            of(
                Map.of(
                    "SECRETSDK_MOUNTS",
                    "/var/run/secrets",
                    "SECRETSDK_ORDINAL",
                    "150",
                    "SECRETSDK_TRIM_TRAILING_NEWLINE",
                    "false")));

    assertThat(c.mounts()).containsExactly(SecretSettings.Mount.of(Path.of("/var/run/secrets")));
    assertThat(c.ordinal()).isEqualTo(150);
    assertThat(c.trimTrailingNewline()).isFalse();
  }

  @Test
  void systemPropertiesWinOverEnvironmentVariables() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/a", "secretsdk.ordinal", "290")),
            of(Map.of("SECRETSDK_MOUNTS", "/b", "SECRETSDK_ORDINAL", "10")));

    assertThat(c.mounts()).extracting(SecretSettings.Mount::root).containsExactly(Path.of("/a"));
    assertThat(c.ordinal()).isEqualTo(290);
  }

  @Test
  void malformedSettingsAreRejectedNamingKeyAndValue() {
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.ordinal", "high")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secretsdk.ordinal must be an integer: high");
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.trim-trailing-newline", "yes")),
                    NONE))
        .hasMessage("secretsdk.trim-trailing-newline must be true or false: yes");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "=db")), NONE))
        .hasMessageContaining("secretsdk.mounts has an entry without a path");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", " , ")), NONE))
        .hasMessageContaining("secretsdk.mounts lists no directory");
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.max-secret-bytes", "0")), NONE))
        .hasMessage("secretsdk.max-secret-bytes must be positive: 0");
  }

  @Test
  void equalSettingsAreEqualConfigurations() {
    Map<String, String> props = Map.of("secretsdk.mounts", "/a=x");
    assertThat(SecretsConfiguration.from(of(props), NONE))
        .isEqualTo(SecretsConfiguration.from(of(props), NONE));
    assertThat(SecretsConfiguration.from(of(props), NONE))
        .isNotEqualTo(SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a=y")), NONE));
  }

  @Test
  void watchAndPollIntervalAreReadAndChecked() {
    SecretsConfiguration defaults =
        SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a")), NONE);
    assertThat(defaults.watch()).isTrue();
    assertThat(defaults.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(5));

    SecretsConfiguration polling =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/a", "secretsdk.watch", "false")),
            of(Map.of("SECRETSDK_POLL_INTERVAL", "PT0.5S")));
    assertThat(polling.watch()).isFalse();
    assertThat(polling.pollInterval()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(
            SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "2000")), NONE)
                .pollInterval())
        .isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(polling).isNotEqualTo(defaults);

    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "soon")), NONE))
        .hasMessageStartingWith("secretsdk.poll-interval: 'soon' is not a duration");
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "5")), NONE))
        .hasMessageStartingWith(
            "secretsdk.poll-interval: poll interval must be 0 (off) or at least 10ms");
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a", "secretsdk.watch", "maybe")), NONE))
        .hasMessage("secretsdk.watch must be true or false: maybe");
  }

  @ParameterizedTest(name = "secretsdk.poll-interval={0}")
  @ValueSource(strings = {"5s", "PT5S", "5000", "5000ms"})
  void pollIntervalReadsEveryDurationFormLikeSpring(String text) {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", text)), NONE);
    assertThat(c.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(
            SecretsConfiguration.from(
                NONE, of(Map.of("SECRETSDK_MOUNTS", "/a", "SECRETSDK_POLL_INTERVAL", text))))
        .isEqualTo(c);
  }

  @Test
  void jsonExpandIsCarriedInTheMount() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(
                Map.of(
                    "secretsdk.mounts",
                    "/etc/secrets/app=app[json=expand], optional:/etc/secrets/raw[json=expand], /etc/db=db")),
            NONE);
    assertThat(c.mounts())
        .containsExactly(
            new SecretSettings.Mount(Path.of("/etc/secrets/app"), "app.", false, true),
            new SecretSettings.Mount(Path.of("/etc/secrets/raw"), "", true, true),
            new SecretSettings.Mount(Path.of("/etc/db"), "db.", false, false));
    assertThatThrownBy(
            () ->
                SecretsConfiguration.from(
                    of(Map.of("secretsdk.mounts", "/a=x[json=flatten]")), NONE))
        .hasMessageContaining("secretsdk.mounts entry '/a=x[json=flatten]' has an unknown option")
        .hasMessageContaining("[json=expand]");
  }

  @Test
  void unsetOrBlankSettingsMeanTheCoreDefaults() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(
                Map.of(
                    "secretsdk.mounts",
                    "/a",
                    "secretsdk.max-secret-bytes",
                    " ",
                    "secretsdk.poll-interval",
                    "")),
            NONE);
    assertThat(c.settings().maxSecretBytes()).isEqualTo(SecretSettings.DEFAULT_MAX_SECRET_BYTES);
    assertThat(c.settings().maxSecretBytesSetting()).isEqualTo("secretsdk.max-secret-bytes");
    assertThat(c.pollInterval())
        .isEqualTo(java.time.Duration.ofSeconds(SecretSettings.DEFAULT_POLL_SECONDS));
  }
}
