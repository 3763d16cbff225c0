package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

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
            of(Map.of("secretsdk.mounts", "/etc/secrets/db=db, /etc/secrets/api=api., optional:/run/secrets")), NONE);

    assertThat(c.mounts())
        .containsExactly(
            new SecretsConfiguration.Mount(Path.of("/etc/secrets/db"), "db.", false),
            new SecretsConfiguration.Mount(Path.of("/etc/secrets/api"), "api.", false),
            new SecretsConfiguration.Mount(Path.of("/run/secrets"), "", true));
    assertThat(c.ordinal()).isEqualTo(275);
    assertThat(c.trimTrailingNewline()).isTrue();
  }

  @Test
  void environmentVariablesAreUsedWhenSystemPropertiesAreAbsent() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            NONE,
            of(Map.of("SECRETSDK_MOUNTS", "/var/run/secrets", "SECRETSDK_ORDINAL", "150", "SECRETSDK_TRIM_TRAILING_NEWLINE", "false")));

    assertThat(c.mounts()).containsExactly(new SecretsConfiguration.Mount(Path.of("/var/run/secrets"), "", false));
    assertThat(c.ordinal()).isEqualTo(150);
    assertThat(c.trimTrailingNewline()).isFalse();
  }

  @Test
  void systemPropertiesWinOverEnvironmentVariables() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/a", "secretsdk.ordinal", "290")),
            of(Map.of("SECRETSDK_MOUNTS", "/b", "SECRETSDK_ORDINAL", "10")));

    assertThat(c.mounts()).extracting(SecretsConfiguration.Mount::root).containsExactly(Path.of("/a"));
    assertThat(c.ordinal()).isEqualTo(290);
  }

  @Test
  void malformedSettingsAreRejectedNamingKeyAndValue() {
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.ordinal", "high")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secretsdk.ordinal must be an integer: high");
    assertThatThrownBy(
            () -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.trim-trailing-newline", "yes")), NONE))
        .hasMessage("secretsdk.trim-trailing-newline must be true or false: yes");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "=db")), NONE))
        .hasMessageContaining("secretsdk.mounts has an entry without a path");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", " , ")), NONE))
        .hasMessageContaining("secretsdk.mounts lists no directory");
    assertThatThrownBy(
            () -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.max-secret-bytes", "0")), NONE))
        .hasMessage("secretsdk.max-secret-bytes must be positive: 0");
  }

  @Test
  void equalSettingsAreEqualConfigurations() {
    Map<String, String> props = Map.of("secretsdk.mounts", "/a=x");
    assertThat(SecretsConfiguration.from(of(props), NONE)).isEqualTo(SecretsConfiguration.from(of(props), NONE));
    assertThat(SecretsConfiguration.from(of(props), NONE))
        .isNotEqualTo(SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a=y")), NONE));
  }

  @Test
  void watchAndPollIntervalAreReadAndChecked() {
    SecretsConfiguration defaults = SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a")), NONE);
    assertThat(defaults.watch()).isTrue();
    assertThat(defaults.pollInterval()).isNull();

    SecretsConfiguration polling =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/a", "secretsdk.watch", "false")),
            of(Map.of("SECRETSDK_POLL_INTERVAL", "PT0.5S")));
    assertThat(polling.watch()).isFalse();
    assertThat(polling.pollInterval()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "2000")), NONE).pollInterval())
        .isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(polling).isNotEqualTo(defaults);

    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "soon")), NONE))
        .hasMessage("secretsdk.poll-interval must be an ISO-8601 duration (PT5S) or milliseconds (5000): soon");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.poll-interval", "5")), NONE))
        .hasMessage("secretsdk.poll-interval must be 0 (off) or at least 10 ms: 5");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a", "secretsdk.watch", "maybe")), NONE))
        .hasMessage("secretsdk.watch must be true or false: maybe");
  }

  @Test
  void readsTheJsonExpandOptionAfterThePrefixOrThePath() {
    SecretsConfiguration c =
        SecretsConfiguration.from(
            of(Map.of("secretsdk.mounts", "/etc/secrets/app=app[json=expand], optional:/etc/secrets/x[ json=expand ], /etc/secrets/y=y[json=plain]")),
            NONE);

    assertThat(c.mounts())
        .containsExactly(
            new SecretsConfiguration.Mount(Path.of("/etc/secrets/app"), "app.", false, true),
            new SecretsConfiguration.Mount(Path.of("/etc/secrets/x"), "", true, true),
            new SecretsConfiguration.Mount(Path.of("/etc/secrets/y"), "y.", false, false));
  }

  @Test
  void unknownMountOptionsNameTheEntry() {
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a=a[prefix=b]")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/a=a[prefix=b]'")
        .hasMessageContaining("unknown option 'prefix=b'");
    assertThatThrownBy(() -> SecretsConfiguration.from(of(Map.of("secretsdk.mounts", "/a[json=flat]")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("json=flat")
        .hasMessageContaining("json=expand");
  }
}
