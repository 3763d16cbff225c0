package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 9: the readiness check on SmallRye Health in a Weld SE container. */
class SecretsHealthCheckTests {

  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String canary;
  private KubernetesVolumeWriter db;
  private KubernetesVolumeWriter app;
  private WeldDeployment deployment;

  @BeforeEach
  void start(Canaries canaries, SystemProperties properties) {
    canary = canaries.next("password");
    this.properties = properties;
    db = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    db.writeStrings(Map.of("username", "app", "password", canary));
    app = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
    app.writeStrings(Map.of("settings", "{\"password\":\"" + canary + "\"}"));
  }

  private void deploy(String... extra) {
    properties.set("secretsdk.mounts", db.volume() + "=db," + app.volume() + "=app[json=expand]");
    for (int i = 0; i < extra.length; i += 2) {
      properties.set(extra[i], extra[i + 1]);
    }
    deployment = WeldDeployment.deploy();
  }

  @AfterEach
  void stop() {
    if (deployment != null) {
      deployment.close();
    }
  }

  private JsonObject readiness() {
    SmallRyeHealth health = deployment.get(SmallRyeHealthReporter.class).getReadiness();
    assertThat(health.getPayload().toString()).doesNotContain(canary);
    return health.getPayload();
  }

  private static JsonObject secretsdkCheck(JsonObject payload) {
    return payload.getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(check -> check.getString("name").equals("secretsdk"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no secretsdk check in " + payload));
  }

  @Test
  void readinessReportsStatusRevisionKeysAndSnapshotAge() {
    deploy();

    JsonObject payload = readiness();

    assertThat(payload.getString("status")).isEqualTo("UP");
    JsonObject check = secretsdkCheck(payload);
    assertThat(check.getString("status")).isEqualTo("UP");
    JsonObject data = check.getJsonObject("data");
    assertThat(data.getString("status")).isEqualTo("UP");
    assertThat(data.getJsonNumber("revision").longValue()).isEqualTo(1);
    assertThat(data.getJsonNumber("keys").longValue()).isEqualTo(3);
    assertThat(data.getJsonNumber("snapshotAgeSeconds").longValue()).isGreaterThanOrEqualTo(0);
    assertThat(data.getString("mount:" + db.volume().toAbsolutePath().normalize())).isEqualTo("UP");
    assertThat(data.containsKey("lastError")).isFalse();
  }

  @Test
  void aFailingSourceIsReportedByNameAndStaysReadyByDefault() throws IOException {
    deploy();
    Path password = db.volume().resolve("..data").toRealPath().resolve("password");
    Files.delete(password);
    Files.createSymbolicLink(password, Path.of("/etc/hostname"));
    await()
        .atMost(PATIENCE)
        .until(
            () -> {
              try {
                deployment.get(io.secretsdk.SecretStore.class).refresh();
              } catch (RuntimeException expected) {
                // The escaping link is refused; health says so.
              }
              return secretsdkCheck(readiness())
                  .getJsonObject("data")
                  .getString("status")
                  .equals("DEGRADED");
            });

    JsonObject check = secretsdkCheck(readiness());

    assertThat(check.getString("status")).isEqualTo("UP");
    assertThat(check.getJsonObject("data").getString("lastError")).contains("password");
    assertThat(
            check
                .getJsonObject("data")
                .getString("mount:" + db.volume().toAbsolutePath().normalize()))
        .startsWith("DEGRADED: ");
  }

  @Test
  void degradedCanBeReportedDownForStrictReadiness() throws IOException {
    deploy("secretsdk.health.readiness.degraded", "down");
    Path password = db.volume().resolve("..data").toRealPath().resolve("password");
    Files.delete(password);
    Files.createSymbolicLink(password, Path.of("/etc/hostname"));

    await()
        .atMost(PATIENCE)
        .until(
            () -> {
              try {
                deployment.get(io.secretsdk.SecretStore.class).refresh();
              } catch (RuntimeException expected) {
                // Refused, as above.
              }
              return readiness().getString("status").equals("DOWN");
            });
    assertThat(secretsdkCheck(readiness()).getString("status")).isEqualTo("DOWN");
  }

  @Test
  void jsonServedFromTheLastGoodDocumentIsReportedWithoutContent() {
    deploy();
    assertThat(deployment.config().getValue("app.settings.password", String.class))
        .isEqualTo(canary);

    app.writeStrings(Map.of("settings", "{\"password\":\"" + canary + "-new\""));

    await()
        .atMost(PATIENCE)
        .until(() -> secretsdkCheck(readiness()).getJsonObject("data").containsKey("json.0"));
    assertThat(secretsdkCheck(readiness()).getJsonObject("data").getString("json.0"))
        .contains("secret 'app.settings'");
    assertThat(deployment.config().getValue("app.settings.password", String.class))
        .isEqualTo(canary);
  }

  @Test
  void aClosedStoreIsDown() {
    deploy();
    SecretsConfigSource source = SecretsSources.find(deployment.config());

    source.store().close();

    assertThat(secretsdkCheck(readiness()).getString("status")).isEqualTo("DOWN");
  }
}
