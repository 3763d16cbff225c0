package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

@ExtendWith(SecretLeakExtension.class)
class SecretsHealthIndicatorTests {

  @TempDir Path dir;
  private final SecretsImports imports = new SecretsImports();

  @AfterEach
  void close() {
    imports.close();
  }

  private void importing(String location, Map<String, String> properties) {
    imports.obtain(
        SecretsConfigDataLocationResolver.resolve(
            location,
            location.contains("missing"),
            new Binder(new MapConfigurationPropertySource(properties))),
        SecretsImports::build);
  }

  @Test
  void healthyImportIsUpWithPerSourceDetails() {
    KubernetesVolumeWriter.kubelet(dir.resolve("db")).writeStrings(Map.of("a", "1", "b", "2"));
    importing(dir.resolve("db").toString(), Map.of());

    Health health = new SecretsHealthIndicator(imports).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    @SuppressWarnings("unchecked")
    Map<String, Object> store =
        (Map<String, Object>) health.getDetails().get("secrets:" + dir.resolve("db"));
    assertThat(store)
        .containsEntry("status", "UP")
        .containsEntry("keyCount", 2)
        .containsKeys("revision", "loadedAt");
    assertThat((List<?>) store.get("sources"))
        .singleElement()
        .asString()
        .contains("watchMode=EVENTS");
  }

  @Test
  void missingOptionalDirectoryIsDegraded() {
    importing(dir.resolve("missing").toString(), Map.of());

    assertThat(new SecretsHealthIndicator(imports).health().getStatus().getCode())
        .isEqualTo("DEGRADED");
  }

  @Test
  void failedRotationIsDegradedWithAnErrorThatHoldsNoValue(Canaries canaries) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    writer.writeStrings(Map.of("password", "small"));
    importing(dir.resolve("db").toString(), Map.of("secretsdk.import.max-secret-bytes", "64"));
    String canary = canaries.next("password") + "-" + "x".repeat(64);

    writer.writeStrings(Map.of("password", canary));

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Health health = new SecretsHealthIndicator(imports).health();
              assertThat(health.getStatus().getCode()).isEqualTo("DEGRADED");
              assertThat(health.getDetails().toString())
                  .contains("lastError")
                  .doesNotContain(canary);
            });
  }
}
