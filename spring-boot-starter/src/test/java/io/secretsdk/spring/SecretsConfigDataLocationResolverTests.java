package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class SecretsConfigDataLocationResolverTests {

  private static final Binder EMPTY = new Binder();

  @Test
  void plainDirectoryHasNoPrefixAndTrimsLikeConfigtree() {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve("/etc/config/", false, EMPTY);

    assertThat(resource.path()).isEqualTo(Path.of("/etc/config"));
    assertThat(resource.prefix()).isEmpty();
    assertThat(resource.trimTrailingNewline()).isTrue();
    assertThat(resource.watch()).isTrue();
    assertThat(resource.optional()).isFalse();
    assertThat(resource.location()).isEqualTo("secrets:/etc/config/");
  }

  @Test
  void bracketOptionsSetPrefixTrimAndWatch() {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            "/etc/db/[prefix=spring.datasource.; trim-trailing-newline=false;watch=false]",
            true,
            EMPTY);

    assertThat(resource.path()).isEqualTo(Path.of("/etc/db"));
    assertThat(resource.prefix()).isEqualTo("spring.datasource.");
    assertThat(resource.trimTrailingNewline()).isFalse();
    assertThat(resource.watch()).isFalse();
    assertThat(resource.optional()).isTrue();
    assertThat(resource.propertySourceName())
        .isEqualTo("Secrets '/etc/db' [prefix=spring.datasource.]");
  }

  @Test
  void globalDefaultsComeFromSecretsdkImportProperties() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "secretsdk.import.trim-trailing-newline", "false",
                    "secretsdk.import.poll-interval", "250ms",
                    "secretsdk.import.max-secret-bytes", "4096")));

    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve("/etc/db", false, binder);

    assertThat(resource.trimTrailingNewline()).isFalse();
    assertThat(resource.pollInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(resource.maxSecretBytes()).isEqualTo(4096);
  }

  @Test
  void inlineOptionOverridesGlobalDefault() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of("secretsdk.import.trim-trailing-newline", "false")));

    assertThat(
            SecretsConfigDataLocationResolver.resolve(
                    "/etc/db[trim-trailing-newline=true]", false, binder)
                .trimTrailingNewline())
        .isTrue();
  }

  @Test
  void fileUrlPrefixAndRelativePathsAreAccepted() {
    assertThat(SecretsConfigDataLocationResolver.resolve("file:/run/secrets/", false, EMPTY).path())
        .isEqualTo(Path.of("/run/secrets"));
    assertThat(SecretsConfigDataLocationResolver.resolve("conf/secrets", false, EMPTY).path())
        .isEqualTo(Path.of("conf/secrets").toAbsolutePath());
  }

  @Test
  void unknownOptionIsRefusedWithTheKnownOnes() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> SecretsConfigDataLocationResolver.resolve("/etc/db[prefx=a.]", false, EMPTY))
        .withMessageContaining("unknown secrets import option 'prefx'")
        .withMessageContaining("prefix, trim-trailing-newline, watch");
  }

  @Test
  void badBooleanAndMissingDirectoryAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> SecretsConfigDataLocationResolver.resolve("/etc/db[watch=maybe]", false, EMPTY))
        .withMessageContaining("must be true or false: maybe");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SecretsConfigDataLocationResolver.resolve("[prefix=a.]", false, EMPTY))
        .withMessageContaining("names no directory");
  }

  @Test
  void sameDirectoryAndSettingsAreOneResource() {
    assertThat(SecretsConfigDataLocationResolver.resolve("/etc/db/", false, EMPTY))
        .isEqualTo(SecretsConfigDataLocationResolver.resolve("/etc/db/", false, EMPTY))
        .isNotEqualTo(
            SecretsConfigDataLocationResolver.resolve("/etc/db/[prefix=x.]", false, EMPTY));
  }

  @Test
  void jsonExpandCombinesWithPrefixAndNamesItsPropertySource() {
    SecretsConfigDataResource resource =
        SecretsConfigDataLocationResolver.resolve(
            "/etc/secrets/app/[prefix=app.;json=expand]", false, EMPTY);

    assertThat(resource.jsonExpand()).isTrue();
    assertThat(resource.prefix()).isEqualTo("app.");
    assertThat(resource.propertySourceName()).endsWith("[json=expand]");
    assertThat(
            SecretsConfigDataLocationResolver.resolve("/etc/secrets/app/", false, EMPTY)
                .jsonExpand())
        .isFalse();
    assertThat(resource)
        .isNotEqualTo(
            SecretsConfigDataLocationResolver.resolve(
                "/etc/secrets/app/[prefix=app.]", false, EMPTY));
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> SecretsConfigDataLocationResolver.resolve("/etc/db[json=flatten]", false, EMPTY))
        .withMessageContaining("must be expand or none (the default): flatten");
  }
}
