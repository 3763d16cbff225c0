package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Kubernetes probe setup of docs/spring-boot.md, on a real actuator on a loopback port: {@code
 * secrets} in the readiness group, {@code DEGRADED} answered 200 by default (the last good values
 * are served) and 503 with the strict mapping; liveness never depends on secrets.
 */
class SecretsHealthProbesTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  /** The recommended settings, as docs/spring-boot.md lists them. */
  static final List<String> RECOMMENDED =
      List.of(
          "--management.endpoint.health.probes.enabled=true",
          "--management.endpoint.health.group.readiness.include=readinessState,secrets",
          "--management.endpoint.health.group.readiness.show-details=always",
          "--management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private ConfigurableApplicationContext start(String location, List<String> extra) {
    List<String> args = new ArrayList<>(RECOMMENDED);
    args.addAll(extra);
    args.add("--server.address=127.0.0.1");
    args.add("--server.port=0");
    args.add("--spring.config.import=" + location);
    return new SpringApplicationBuilder(App.class).run(args.toArray(String[]::new));
  }

  private HttpResponse<String> get(ConfigurableApplicationContext context, String path)
      throws Exception {
    String port = context.getEnvironment().getProperty("local.server.port");
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of the whole answer, or of one component of it. */
  private static Object status(HttpResponse<String> response, String... component) {
    Map<String, Object> node = JsonParserFactory.getJsonParser().parseMap(response.body());
    for (String name : component) {
      @SuppressWarnings("unchecked")
      Map<String, Object> components = (Map<String, Object>) node.get("components");
      @SuppressWarnings("unchecked")
      Map<String, Object> child = (Map<String, Object>) components.get(name);
      node = child;
    }
    return node.get("status");
  }

  @Test
  void readinessIsUpWhenTheSecretsAreReadAndOutOfServiceWhenTheStoreIsClosed() throws Exception {
    KubernetesVolumeWriter.kubelet(dir.resolve("db")).writeStrings(Map.of("password", "p"));
    try (ConfigurableApplicationContext context =
        start("secrets:" + dir.resolve("db"), List.of())) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");

      assertThat(readiness.statusCode()).isEqualTo(200);
      assertThat(status(readiness)).isEqualTo("UP");
      assertThat(status(readiness, "secrets")).isEqualTo("UP");

      // A closed store serves nothing any more: DOWN, and the pod leaves the load balancer.
      context.getBean(SecretsImports.class).close();
      HttpResponse<String> closed = get(context, "/actuator/health/readiness");
      assertThat(closed.statusCode()).isEqualTo(503);
      assertThat(status(closed, "secrets")).isEqualTo("DOWN");
      assertThat(get(context, "/actuator/health/liveness").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void degradedSecretsKeepThePodReadyByDefaultAndShowInTheGroup() throws Exception {
    try (ConfigurableApplicationContext context =
        start("optional:secrets:" + dir.resolve("not-mounted-yet"), List.of())) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      HttpResponse<String> liveness = get(context, "/actuator/health/liveness");

      assertThat(readiness.statusCode()).isEqualTo(200);
      assertThat(status(readiness)).isEqualTo("DEGRADED");
      assertThat(status(readiness, "secrets")).isEqualTo("DEGRADED");
      assertThat(liveness.statusCode()).isEqualTo(200);
      assertThat(status(liveness)).isEqualTo("UP");
      assertThat(liveness.body()).doesNotContain("secrets");

      // The directory appears: the group recovers without a restart.
      KubernetesVolumeWriter.kubelet(dir.resolve("not-mounted-yet"))
          .writeStrings(Map.of("password", "p"));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(status(get(context, "/actuator/health/readiness"))).isEqualTo("UP"));
    }
  }

  @Test
  void strictMappingTakesADegradedPodOutOfService() throws Exception {
    Files.createDirectories(dir);
    try (ConfigurableApplicationContext context =
        start(
            "optional:secrets:" + dir.resolve("not-mounted"),
            List.of(
                "--management.endpoint.health.group.readiness.status.http-mapping.degraded=503"))) {
      HttpResponse<String> readiness = get(context, "/actuator/health/readiness");
      HttpResponse<String> liveness = get(context, "/actuator/health/liveness");

      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(status(readiness)).isEqualTo("DEGRADED");
      assertThat(liveness.statusCode()).isEqualTo(200);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
