package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Records and other constructor-bound properties follow rotations through a {@link SecretsBinding}
 * bean, in a real application, with and without Spring Cloud Context's refresh machinery in use.
 */
class SecretsBindingTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  @TempDir Path dir;

  @ConfigurationProperties("app.db")
  record DbCredentials(String username, String password) {}

  /** A constructor-bound class that is not a record. */
  @ConfigurationProperties("app.api")
  static final class ApiKey {
    private final String key;

    ApiKey(String key) {
      this.key = key;
    }

    String key() {
      return key;
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigurationProperties(DbCredentials.class)
  static class App {

    @Bean
    SecretsBinding<DbCredentials> dbCredentials() {
      return SecretsBinding.of(DbCredentials.class);
    }

    @Bean
    SecretsBinding<ApiKey> apiKey() {
      return SecretsBinding.of(ApiKey.class);
    }
  }

  private ConfigurableApplicationContext start(String... extra) {
    String[] args = new String[extra.length + 1];
    args[0] =
        "--spring.config.import=secrets:"
            + dir.resolve("db")
            + "/[prefix=app.db.],secrets:"
            + dir.resolve("api")
            + "/[prefix=app.api.]";
    System.arraycopy(extra, 0, args, 1, extra.length);
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).run(args);
  }

  @SuppressWarnings("unchecked")
  private static <T> SecretsBinding<T> binding(
      ConfigurableApplicationContext context, String name) {
    return context.getBean(name, SecretsBinding.class);
  }

  @Test
  void recordAndConstructorBoundClassFollowEveryRotation() {
    KubernetesVolumeWriter db = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    KubernetesVolumeWriter api = KubernetesVolumeWriter.kubelet(dir.resolve("api"));
    db.writeStrings(Map.of("username", "orders\n", "password", "first\n"));
    api.writeStrings(Map.of("key", "key-1\n"));
    try (ConfigurableApplicationContext context = start()) {
      SecretsBinding<DbCredentials> credentials = binding(context, "dbCredentials");
      SecretsBinding<ApiKey> apiKey = binding(context, "apiKey");
      assertThat(credentials.get()).isEqualTo(new DbCredentials("orders", "first"));
      assertThat(apiKey.get().key()).isEqualTo("key-1");
      // The plain singleton record is bound once, as Spring Boot documents.
      DbCredentials singleton = context.getBean(DbCredentials.class);

      for (int i = 0; i < 3; i++) {
        String user = "user-" + UUID.randomUUID();
        String password = "password-" + UUID.randomUUID();
        db.writeStrings(Map.of("username", user + "\n", "password", password + "\n"));
        api.writeStrings(Map.of("key", "key-" + password + "\n"));

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  assertThat(credentials.get()).isEqualTo(new DbCredentials(user, password));
                  assertThat(apiKey.get().key()).isEqualTo("key-" + password);
                });
      }
      assertThat(singleton.password()).isEqualTo("first");
    }
  }

  @Test
  void bindingFollowsRotationWithoutSpringCloudEvents() {
    KubernetesVolumeWriter db = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    KubernetesVolumeWriter.kubelet(dir.resolve("api")).writeStrings(Map.of("key", "k\n"));
    db.writeStrings(Map.of("username", "orders\n", "password", "first\n"));
    try (ConfigurableApplicationContext context =
        start("--secretsdk.refresh.environment-change-event=false")) {
      SecretsBinding<DbCredentials> credentials = binding(context, "dbCredentials");

      db.writeStrings(Map.of("username", "orders\n", "password", "second\n"));

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(credentials.get().password()).isEqualTo("second"));
    }
  }

  @Test
  void typeWithoutPrefixNeedsOneGivenExplicitly() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SecretsBinding.of(String.class))
        .withMessageContaining("java.lang.String has no @ConfigurationProperties prefix");
    assertThat(SecretsBinding.of("app.db", DbCredentials.class).prefix()).isEqualTo("app.db");
  }
}
