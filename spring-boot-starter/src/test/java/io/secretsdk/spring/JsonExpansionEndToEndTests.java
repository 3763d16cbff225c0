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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A real application importing {@code secrets:<dir>/[prefix=app.;json=expand]}: a JSON document
 * synced by External Secrets into one key binds as {@code @ConfigurationProperties}, follows
 * rotations, and is masked in {@code /actuator/env}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = JsonExpansionEndToEndTests.App.class,
    properties = {
      "server.address=127.0.0.1",
      "spring.config.import=secrets:${secretsdk.json-e2e.dir}/app/[prefix=app.;json=expand]",
      "management.endpoints.web.exposure.include=env",
      "management.endpoint.env.show-values=always",
      "logging.level.io.secretsdk=TRACE"
    })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class JsonExpansionEndToEndTests {

  static final List<String> CANARIES = new ArrayList<>();
  static Path dir;
  static KubernetesVolumeWriter volume;

  @Autowired ConfigurableEnvironment environment;
  @Autowired DbProperties db;
  @LocalServerPort int port;

  @BeforeAll
  static void writeVolume() throws IOException {
    dir = Files.createTempDirectory("secretsdk-json-e2e");
    System.setProperty("secretsdk.json-e2e.dir", dir.toString());
    volume = KubernetesVolumeWriter.kubelet(dir.resolve("app"));
    write("admin", List.of("h1", "h2"));
  }

  @AfterAll
  static void clearProperty() {
    System.clearProperty("secretsdk.json-e2e.dir");
  }

  static String write(String username, List<String> hosts) {
    String canary = "canary-" + UUID.randomUUID();
    CANARIES.add(canary);
    StringBuilder json =
        new StringBuilder("{\"username\":\"" + username + "\",\"password\":\"" + canary + "\",");
    json.append("\"pool\":{\"max\":5},\"hosts\":[");
    for (int i = 0; i < hosts.size(); i++) {
      json.append(i == 0 ? "" : ",").append('"').append(hosts.get(i)).append('"');
    }
    json.append("]}");
    volume.writeStrings(Map.of("db", json.toString()));
    return canary;
  }

  @Test
  void expandedDocumentBindsFollowsRotationAndIsMasked(CapturedOutput output) throws Exception {
    assertThat(db.getUsername()).isEqualTo("admin");
    assertThat(db.getPool().getMax()).isEqualTo(5);
    assertThat(db.getHosts()).containsExactly("h1", "h2");
    assertThat(environment.getProperty("app.db.password")).isEqualTo(CANARIES.get(0));

    String canary = write("operator", List.of("h3"));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(environment.getProperty("app.db.password")).isEqualTo(canary);
              assertThat(environment.getProperty("app.db.username")).isEqualTo("operator");
              assertThat(environment.containsProperty("app.db.hosts[1]")).isFalse();
              assertThat(db.getUsername()).isEqualTo("operator");
            });

    HttpResponse<String> env =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/env"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(env.statusCode()).isEqualTo(200);
    assertThat(env.body())
        .contains("app.db.password", "app.db.pool.max", "******", "[json=expand]");
    for (String planted : CANARIES) {
      assertThat(env.body()).doesNotContain(planted);
      assertThat(output.getAll()).doesNotContain(planted);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigurationProperties(DbProperties.class)
  static class App {}

  @ConfigurationProperties("app.db")
  public static class DbProperties {

    private String username;
    private String password;
    private List<String> hosts = new ArrayList<>();
    private final Pool pool = new Pool();

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public List<String> getHosts() {
      return hosts;
    }

    public void setHosts(List<String> hosts) {
      this.hosts = hosts;
    }

    public Pool getPool() {
      return pool;
    }

    public static class Pool {

      private int max;

      public int getMax() {
        return max;
      }

      public void setMax(int max) {
        this.max = max;
      }
    }
  }
}
