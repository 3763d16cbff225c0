package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.config.server.EnableConfigServer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * A real Spring Cloud Config Server (native profile, files in a temp directory) on a loopback
 * port, and client applications importing it together with {@code secrets:}. The documented rule:
 * among imports, the one listed later wins; both win over the application's own files.
 */
class SecretsConfigServerTests {

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
    secrets = dir.resolve("secrets");
    KubernetesVolumeWriter.kubelet(secrets)
        .writeStrings(Map.of("app.password", "from-secrets\n", "app.api-key", "key-from-secrets\n"));
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
      assertThat(context.getEnvironment().getProperty("app.greeting")).isEqualTo("hello-from-config-server");
      assertThat(context.getEnvironment().getProperty("app.password")).isEqualTo("from-config-server");
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigServer
  static class ConfigServer {}

  @Configuration(proxyBeanMethods = false)
  static class Client {}
}
