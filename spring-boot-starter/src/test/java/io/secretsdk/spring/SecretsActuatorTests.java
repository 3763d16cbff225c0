package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A real application with the actuator on a loopback port: values copied from a secret by a
 * placeholder are masked like the secret itself, and the log confirms the import and every applied
 * change with names, revision and timing — never a value.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = SecretsActuatorTests.App.class,
    properties = {
      "server.address=127.0.0.1",
      "spring.config.import=secrets:${secretsdk.actuator-test.dir}/db/[prefix=app.db.]",
      "app.dbbean.password=${app.db.password}",
      "app.dbbean.url=jdbc:postgresql://db:5432/orders?user=${app.db.username}&password=${app.db.password}",
      "app.chained=${app.dbbean.password}",
      "app.defaulted=${app.nowhere:${app.db.password}}",
      "app.plain=${app.visible}",
      "app.visible=shown-in-clear",
      "management.endpoints.web.exposure.include=env,configprops",
      "management.endpoint.env.show-values=always",
      "management.endpoint.configprops.show-values=always"
    })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class SecretsActuatorTests {

  static final List<String> CANARIES = new CopyOnWriteArrayList<>();
  static Path dir;
  static KubernetesVolumeWriter volume;

  @Autowired Environment environment;
  @LocalServerPort int port;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void writeVolume() throws IOException {
    dir = Files.createTempDirectory("secretsdk-actuator");
    System.setProperty("secretsdk.actuator-test.dir", dir.toString());
    volume = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    write();
  }

  @AfterAll
  static void clearProperty() {
    System.clearProperty("secretsdk.actuator-test.dir");
  }

  /** Writes a new user and password, both canaries; returns the password. */
  private static String write() {
    String user = "user-canary-" + UUID.randomUUID();
    String password = "password-canary-" + UUID.randomUUID();
    CANARIES.add(user);
    CANARIES.add(password);
    volume.writeStrings(Map.of("username", user + "\n", "password", password + "\n"));
    return password;
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

  @Test
  void valuesCopiedFromASecretByAPlaceholderAreMaskedInEnvAndConfigprops() throws Exception {
    // The placeholders do resolve to the secret: masking hides a real value, not a missing one.
    assertThat(environment.getProperty("app.dbbean.password"))
        .isEqualTo(environment.getProperty("app.db.password"));
    assertThat(environment.getProperty("app.chained")).startsWith("password-canary-");
    assertThat(environment.getProperty("app.defaulted")).startsWith("password-canary-");

    String env = get("/actuator/env");
    String one = get("/actuator/env/app.dbbean.password");
    String url = get("/actuator/env/app.dbbean.url");
    String chained = get("/actuator/env/app.chained");
    String defaulted = get("/actuator/env/app.defaulted");
    String plain = get("/actuator/env/app.plain");
    String configprops = get("/actuator/configprops");

    assertThat(env).contains("\"app.dbbean.password\"", "\"app.dbbean.url\"", "******");
    assertThat(one).contains("\"value\":\"******\"");
    assertThat(url).contains("\"value\":\"******\"");
    assertThat(chained).contains("\"value\":\"******\"");
    assertThat(defaulted).contains("\"value\":\"******\"");
    // A placeholder that does not reach a secret is shown as Spring Boot shows it.
    assertThat(plain).contains("shown-in-clear");
    assertThat(configprops).contains("app.dbbean", "\"password\":\"******\"", "\"url\":\"******\"");
    for (String body : List.of(env, one, url, chained, defaulted, plain, configprops)) {
      for (String canary : CANARIES) {
        assertThat(body).doesNotContain(canary);
      }
    }
  }

  @Test
  void logSaysOneLinePerImportAndOnePerAppliedChangeWithoutValues(CapturedOutput output) {
    assertThat(output.getAll())
        .containsPattern(
            "INFO .*imported secrets:"
                + dir
                + "/db/\\[prefix=app.db.\\]: 2 keys from mount:"
                + dir
                + "/db \\(watch mode EVENTS\\), revision \\d+, status UP");

    String password = write();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(environment.getProperty("app.db.password")).isEqualTo(password);
              assertThat(output.getAll())
                  .containsPattern(
                      "INFO .*applied change of secrets:"
                          + dir
                          + "/db/\\[prefix=app.db.\\]: revision \\d+, 2 names "
                          + "\\[app.db.password, app.db.username\\], \\d+ ms after the swap");
            });
    for (String canary : CANARIES) {
      assertThat(output.getAll()).doesNotContain(canary);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigurationProperties(DbBeanProperties.class)
  static class App {}

  @ConfigurationProperties("app.dbbean")
  static class DbBeanProperties {
    private String password;
    private String url;

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }
  }
}
