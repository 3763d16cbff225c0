package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * One real application on a loopback port importing a kubelet-written volume, rotated while it
 * runs. Test methods share the context and each rotates to its own fresh canary.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = SecretsEndToEndTests.App.class,
    properties = {
      "server.address=127.0.0.1",
      "spring.config.import=secrets:${secretsdk.e2e.dir}/db/[prefix=app.db.]",
      "secretsdk.refresh.refresh-scope=true",
      "management.endpoints.web.exposure.include=health,secrets,env,configprops,refresh,metrics",
      "management.endpoint.health.show-details=always",
      "management.endpoint.env.show-values=always",
      "management.endpoint.configprops.show-values=always",
      "logging.level.io.secretsdk=TRACE"
    })
@DirtiesContext
class SecretsEndToEndTests {

  /**
   * Fails a test whose canary reaches the console (Logback at TRACE for io.secretsdk) and keeps it
   * quiet.
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static String firstCanary;
  static final List<String> CANARIES = new CopyOnWriteArrayList<>();
  static Path dir;
  static KubernetesVolumeWriter volume;

  @Autowired ConfigurableEnvironment environment;
  @Autowired DbProperties dbProperties;
  @Autowired PasswordHolder refreshScoped;
  @Autowired StartupPassword startupPassword;
  @Autowired ChangeRecorder changes;
  @Autowired MeterRegistry meters;
  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void writeVolume(Canaries canaries) throws IOException {
    firstCanary = canaries.next("password");
    CANARIES.add(firstCanary);
    dir = Files.createTempDirectory("secretsdk-e2e");
    System.setProperty("secretsdk.e2e.dir", dir.toString());
    volume = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    volume.writeStrings(Map.of("username", "admin\n", "password", firstCanary + "\n"));
  }

  @AfterAll
  static void clearProperty() {
    System.clearProperty("secretsdk.e2e.dir");
  }

  private static String rotate(Canaries canaries) {
    String canary = canaries.next("password");
    CANARIES.add(canary);
    volume.writeStrings(Map.of("username", "admin\n", "password", canary + "\n"));
    return canary;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("secretsdk-watch"))
        .count();
  }

  @Test
  void rotationChangesConfigurationPropertiesAndEnvironmentWithoutRestart(Canaries canaries) {
    assertThat(environment.getProperty("app.db.username")).isEqualTo("admin");

    String canary = rotate(canaries);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(environment.getProperty("app.db.password")).isEqualTo(canary);
              assertThat(dbProperties.getPassword()).isEqualTo(canary);
            });
    assertThat(dbProperties.getUsername()).isEqualTo("admin");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(changes.names).contains(List.of("app.db.password")));
  }

  @Test
  void refreshScopeBeanIsRebuiltAndPlainValueFieldIsNot(Canaries canaries) {
    int instancesBefore = PasswordHolder.INSTANCES.get();

    String canary = rotate(canaries);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(refreshScoped.password()).isEqualTo(canary));
    assertThat(PasswordHolder.INSTANCES.get()).isGreaterThan(instancesBefore);
    // Documented: @Value outside @RefreshScope keeps the value it was created with.
    assertThat(startupPassword.password).isEqualTo(firstCanary);
  }

  @Test
  void actuatorRefreshKeepsOneWatcherAndTheLiveSource(Canaries canaries) throws Exception {
    long watchersBefore = watchThreads();

    HttpResponse<String> refresh =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/refresh"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(refresh.statusCode()).isEqualTo(200);
    assertThat(watchThreads()).isEqualTo(watchersBefore);
    assertThat(
            environment.getPropertySources().stream()
                .filter(SecretsPropertySource.class::isInstance))
        .hasSize(1);
    String canary = rotate(canaries);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(environment.getProperty("app.db.password")).isEqualTo(canary);
              assertThat(dbProperties.getPassword()).isEqualTo(canary);
            });
    assertThat(watchThreads()).isEqualTo(watchersBefore);
  }

  @Test
  void actuatorNeverReturnsAPlantedValue(Canaries canaries) throws Exception {
    rotate(canaries);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                CANARIES
                    .get(CANARIES.size() - 1)
                    .equals(environment.getProperty("app.db.password")));

    HttpResponse<String> health = get("/actuator/health/secrets");
    HttpResponse<String> endpoint = get("/actuator/secrets");
    HttpResponse<String> env = get("/actuator/env");
    HttpResponse<String> envOne = get("/actuator/env/app.db.password");
    HttpResponse<String> configprops = get("/actuator/configprops");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .contains("\"status\":\"UP\"", "\"keyCount\":2", "mount:", "\"watchMode\":\"EVENTS\"");
    assertThat(endpoint.body())
        .contains("\"location\":\"secrets:" + dir + "/db/[prefix=app.db.]\"")
        .contains(
            "app.db.password",
            "app.db.username",
            "\"revision\"",
            "\"loadedAt\"",
            "\"origin\":\"file:")
        .doesNotContain("length");
    assertThat(env.body()).contains("app.db.password", "******");
    // Values are shown (show-values=always) except ours: the masking is the starter's doing.
    assertThat(env.body()).contains("\"server.address\"", "\"value\":\"127.0.0.1\"");
    assertThat(envOne.statusCode()).isEqualTo(200);
    assertThat(configprops.body()).contains("app.db");
    for (HttpResponse<String> response : List.of(health, endpoint, env, envOne, configprops)) {
      assertThat(response.statusCode()).isEqualTo(200);
      for (String canary : CANARIES) {
        assertThat(response.body()).doesNotContain(canary);
      }
    }
  }

  @Test
  void metersDescribeTheImport() {
    String location = "secrets:" + dir + "/db/[prefix=app.db.]";

    assertThat(meters.get("secretsdk.keys").tag("location", location).gauge().value())
        .isEqualTo(2.0);
    assertThat(
            meters.get("secretsdk.refreshes").tag("outcome", "success").functionCounter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(
            meters.get("secretsdk.refreshes").tag("outcome", "failure").functionCounter().count())
        .isZero();
    assertThat(meters.get("secretsdk.snapshot.age").timeGauge()).isNotNull();
    io.micrometer.core.instrument.FunctionTimer refreshTimer =
        meters.get("secretsdk.refresh.duration").tag("location", location).functionTimer();
    assertThat(refreshTimer.count()).isGreaterThanOrEqualTo(1.0);
    assertThat(refreshTimer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableConfigurationProperties(DbProperties.class)
  static class App {

    @Bean
    @RefreshScope
    PasswordHolder passwordHolder(@Value("${app.db.password}") String password) {
      return new PasswordHolder(password);
    }

    @Bean
    StartupPassword startupPassword(@Value("${app.db.password}") String password) {
      return new StartupPassword(password);
    }

    @Bean
    ChangeRecorder changeRecorder() {
      return new ChangeRecorder();
    }
  }

  @ConfigurationProperties("app.db")
  static class DbProperties {
    private String username;
    private String password;

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
  }

  static class PasswordHolder {
    static final AtomicInteger INSTANCES = new AtomicInteger();
    private final String password;

    PasswordHolder(String password) {
      this.password = password;
      INSTANCES.incrementAndGet();
    }

    String password() {
      return password;
    }
  }

  static final class StartupPassword {
    final String password;

    StartupPassword(String password) {
      this.password = password;
    }
  }

  static final class ChangeRecorder implements ApplicationListener<SecretsChangedEvent> {
    final List<List<String>> names = new CopyOnWriteArrayList<>();

    @Override
    public void onApplicationEvent(SecretsChangedEvent event) {
      names.add(List.copyOf(event.getNames()));
    }
  }
}
