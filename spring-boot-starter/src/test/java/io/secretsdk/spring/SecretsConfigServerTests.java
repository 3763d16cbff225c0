package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.autoconfigure.RefreshAutoConfiguration;
import org.springframework.cloud.config.server.EnableConfigServer;
import org.springframework.cloud.context.refresh.ContextRefresher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A real Spring Cloud Config Server (native profile, files in a temp directory) on a loopback port,
 * and client applications importing it together with {@code secrets:}. The documented rule: among
 * imports, the one listed later wins; both win over the application's own files.
 */
class SecretsConfigServerTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  @TempDir static Path dir;
  static ConfigurableApplicationContext server;
  static String serverUrl;
  static Path secrets;

  @BeforeAll
  static void startConfigServer() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.writeString(
        repo.resolve("demo.properties"),
        "app.password=from-config-server\napp.greeting=hello-from-config-server\n");
    Files.writeString(
        repo.resolve("demo-prod.properties"),
        "app.password=from-config-server-prod\napp.greeting=hello-from-config-server-prod\n");
    secrets = dir.resolve("secrets");
    KubernetesVolumeWriter.kubelet(secrets)
        .writeStrings(
            Map.of("app.password", "from-secrets\n", "app.api-key", "key-from-secrets\n"));
    server =
        new SpringApplicationBuilder(ConfigServer.class)
            .run(
                "--server.address=127.0.0.1",
                "--server.port=0",
                "--spring.application.name=configserver",
                "--spring.profiles.active=native",
                "--spring.cloud.config.server.native.search-locations=file:" + repo + "/");
    serverUrl = "http://127.0.0.1:" + server.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stopConfigServer() {
    if (server != null) {
      server.close();
    }
  }

  private static ConfigurableApplicationContext client(String imports) {
    return new SpringApplicationBuilder(Client.class)
        .web(WebApplicationType.NONE)
        .run(
            "--spring.cloud.config.enabled=true",
            "--spring.application.name=demo",
            "--spring.config.import=" + imports);
  }

  @Test
  void secretsImportedAfterConfigServerWinForTheSameName() {
    try (ConfigurableApplicationContext context =
        client("optional:configserver:" + serverUrl + ",secrets:" + secrets + "/")) {
      Environment env = context.getEnvironment();
      // The application's own file (test application.properties) is loaded, and outranked.
      assertThat(env.getProperty("spring.main.banner-mode")).isEqualTo("off");
      assertThat(env.getProperty("app.greeting")).isEqualTo("hello-from-config-server");
      assertThat(env.getProperty("app.api-key")).isEqualTo("key-from-secrets");
      assertThat(env.getProperty("app.password")).isEqualTo("from-secrets");
    }
  }

  @Test
  void configServerImportedAfterSecretsWinsForTheSameName() {
    try (ConfigurableApplicationContext context =
        client("secrets:" + secrets + "/,optional:configserver:" + serverUrl)) {
      assertThat(context.getEnvironment().getProperty("app.api-key")).isEqualTo("key-from-secrets");
      assertThat(context.getEnvironment().getProperty("app.greeting"))
          .isEqualTo("hello-from-config-server");
      assertThat(context.getEnvironment().getProperty("app.password"))
          .isEqualTo("from-config-server");
    }
  }

  /**
   * The docs' Kubernetes pattern: the import in the {@code SPRING_CONFIG_IMPORT} environment
   * variable, {@code spring.application.name} in the application's own properties file. Spring Boot
   * resolves the import before that file is read, so the Config Client fetches twice (as {@code
   * application}, then as {@code demo}) and its second fetch lands above {@code secrets:}.
   */
  private static ConfigurableApplicationContext clientFromEnvironmentVariable(String imports)
      throws Exception {
    return clientFromEnvironmentVariable(Client.class, imports);
  }

  private static ConfigurableApplicationContext clientFromEnvironmentVariable(
      Class<?> application, String imports) throws Exception {
    Path applicationProperties =
        Files.createTempDirectory(dir, "client").resolve("application.properties");
    Files.writeString(applicationProperties, "spring.application.name=demo\n");
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of(
                    "SPRING_CONFIG_IMPORT",
                    imports,
                    "SPRING_CONFIG_ADDITIONAL_LOCATION",
                    "file:" + applicationProperties,
                    "SPRING_CLOUD_CONFIG_ENABLED",
                    "true")));
    return new SpringApplicationBuilder(application)
        .environment(environment)
        .web(WebApplicationType.NONE)
        .run();
  }

  @Test
  void secretsListedLastInTheEnvironmentVariableWinOverTheConfigServer() throws Exception {
    try (ConfigurableApplicationContext context =
        clientFromEnvironmentVariable(
            "optional:configserver:" + serverUrl + ",secrets:" + secrets + "/")) {
      Environment env = context.getEnvironment();
      assertThat(env.getProperty("spring.application.name")).isEqualTo("demo");
      assertThat(env.getProperty("app.greeting")).isEqualTo("hello-from-config-server");
      assertThat(env.getProperty("app.api-key")).isEqualTo("key-from-secrets");
      assertThat(env.getProperty("app.password")).isEqualTo("from-secrets");
    }
  }

  @Test
  void secretsListedLastOnTheCommandLineWinWhenTheNameIsInTheApplicationsFile() throws Exception {
    Path applicationProperties =
        Files.createTempDirectory(dir, "client").resolve("application.properties");
    Files.writeString(applicationProperties, "spring.application.name=demo\n");
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(Client.class)
            .web(WebApplicationType.NONE)
            .run(
                "--spring.cloud.config.enabled=true",
                "--spring.config.additional-location=file:" + applicationProperties,
                "--spring.config.import=optional:configserver:"
                    + serverUrl
                    + ",secrets:"
                    + secrets
                    + "/")) {
      Environment env = context.getEnvironment();
      assertThat(env.getProperty("spring.application.name")).isEqualTo("demo");
      assertThat(env.getProperty("app.greeting")).isEqualTo("hello-from-config-server");
      assertThat(env.getProperty("app.password")).isEqualTo("from-secrets");
    }
  }

  @Test
  void orderSurvivesSpringCloudsRefreshOfTheEnvironment() throws Exception {
    try (ConfigurableApplicationContext context =
        clientFromEnvironmentVariable(
            RefreshingClient.class,
            "optional:configserver:" + serverUrl + ",secrets:" + secrets + "/")) {
      assertThat(context.getEnvironment().getProperty("app.password")).isEqualTo("from-secrets");

      // What /actuator/refresh does: re-process the imports and copy the sources back.
      context.getBean(ContextRefresher.class).refresh();

      assertThat(context.getEnvironment().getProperty("app.password")).isEqualTo("from-secrets");
      assertThat(context.getEnvironment().getProperty("app.greeting"))
          .isEqualTo("hello-from-config-server");
    }
  }

  @Test
  void configServerListedLastInTheEnvironmentVariableWinsOverSecrets() throws Exception {
    try (ConfigurableApplicationContext context =
        clientFromEnvironmentVariable(
            "secrets:" + secrets + "/,optional:configserver:" + serverUrl)) {
      Environment env = context.getEnvironment();
      assertThat(env.getProperty("app.greeting")).isEqualTo("hello-from-config-server");
      assertThat(env.getProperty("app.api-key")).isEqualTo("key-from-secrets");
      assertThat(env.getProperty("app.password")).isEqualTo("from-config-server");
    }
  }

  @Test
  void secretsListedLastWinAlsoWhenAProfileMakesTheConfigServerFetchAgain() {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(Client.class)
            .web(WebApplicationType.NONE)
            .run(
                "--spring.cloud.config.enabled=true",
                "--spring.application.name=demo",
                "--spring.profiles.active=prod",
                "--spring.config.import=optional:configserver:"
                    + serverUrl
                    + ",secrets:"
                    + secrets
                    + "/")) {
      Environment env = context.getEnvironment();
      assertThat(env.getProperty("app.greeting")).isEqualTo("hello-from-config-server-prod");
      assertThat(env.getProperty("app.password")).isEqualTo("from-secrets");
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigServer
  static class ConfigServer {}

  @Configuration(proxyBeanMethods = false)
  static class Client {}

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(RefreshAutoConfiguration.class)
  static class RefreshingClient {}
}
