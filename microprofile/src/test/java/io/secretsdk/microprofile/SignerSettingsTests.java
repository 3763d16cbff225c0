package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.Signer;
import io.secretsdk.signer.sidecar.SignerSidecar;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SignerSettingsTests {

  private static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final byte[] MESSAGE = "{\"event\":\"paid\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String key;
  private String rotatedKey;
  private Path volume;
  private KubernetesVolumeWriter writer;
  private WeldDeployment deployment;

  /** Signs webhooks with whatever {@link Signer} the container offers. */
  @ApplicationScoped
  static class WebhookSigner {
    @Inject Signer signer;

    String sign(byte[] body) {
      return signer.sign("webhook-key", body);
    }

    boolean verify(byte[] body, String signature) {
      return signer.verify("webhook-key", body, signature);
    }
  }

  /** A bean that needs nothing, for containers that must not ask for a {@link Signer}. */
  @ApplicationScoped
  static class Bystander {}

  @BeforeEach
  void writeKeys(Canaries canaries, SystemProperties properties) {
    key = canaries.next("key");
    rotatedKey = canaries.next("rotated-key");
    this.properties = properties;
    volume = tmp.resolve("keys");
    writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("webhook-key", key));
  }

  @AfterEach
  void stopContainer() {
    if (deployment != null) {
      deployment.close();
    }
  }

  private void startContainer() {
    startContainer(WebhookSigner.class);
  }

  private void startContainer(Class<?>... beans) {
    deployment = WeldDeployment.deploy(beans);
  }

  @Test
  void localModeSignsWithTheStoreKeyAndFollowsRotation() {
    properties.set("secretsdk.mounts", volume.toString()).set("secretsdk.signer.mode", "local");
    startContainer();
    WebhookSigner webhooks = deployment.get(WebhookSigner.class);
    SecretStore store = deployment.get(SecretStore.class);

    String before = webhooks.sign(MESSAGE);

    assertThat(before).startsWith("v1:").doesNotContain(key);
    assertThat(webhooks.verify(MESSAGE, before)).isTrue();
    try (Signer independent = Signer.local(store)) {
      assertThat(independent.verify("webhook-key", MESSAGE, before)).isTrue();
    }

    writer.writeStrings(Map.of("webhook-key", rotatedKey));

    await().atMost(PATIENCE).until(() -> !webhooks.sign(MESSAGE).equals(before));
    assertThat(webhooks.verify(MESSAGE, before))
        .as("old signatures verify during the grace period")
        .isTrue();
  }

  @Test
  void sidecarModeCallsTheSidecarAtTheConfiguredUrl() {
    try (SecretStore keys = SecretStore.builder().mount(volume).build();
        SignerSidecar sidecar = SignerSidecar.builder().store(keys).port(0).build().start();
        Signer local = Signer.local(keys)) {
      properties
          .set("secretsdk.signer.mode", "sidecar")
          .set("secretsdk.signer.sidecar.url", sidecar.uri().toString());
      startContainer();
      WebhookSigner webhooks = deployment.get(WebhookSigner.class);

      String signature = webhooks.sign(MESSAGE);

      assertThat(local.verify("webhook-key", MESSAGE, signature)).isTrue();
      assertThat(webhooks.verify(MESSAGE, local.sign("webhook-key", MESSAGE))).isTrue();
      assertThat(deployment.container().select(SecretStore.class).isUnsatisfied())
          .as("no mounts, no store bean")
          .isTrue();
    }
  }

  @Test
  void withoutModeThereIsNoSignerBean() {
    properties.set("secretsdk.mounts", volume.toString());
    startContainer(Bystander.class);

    assertThat(deployment.container().select(Signer.class).isUnsatisfied()).isTrue();
    assertThat(deployment.container().select(SecretStore.class).isResolvable()).isTrue();
  }

  @Test
  void settingsAreReadAndCheckedFromConfig() {
    assertThat(SignerSettings.from(configOf(Map.of()))).isEmpty();
    SignerSettings local =
        SignerSettings.from(configOf(Map.of("secretsdk.signer.mode", "LOCAL"))).orElseThrow();
    assertThat(local.mode()).isEqualTo(SignerSettings.Mode.LOCAL);
    assertThat(local.sidecarUrl()).isEqualTo(URI.create("http://127.0.0.1:8787"));
    assertThat(
            SignerSettings.from(
                    configOf(
                        Map.of(
                            "secretsdk.signer.mode",
                            "sidecar",
                            "secretsdk.signer.sidecar.url",
                            "http://signer:9000")))
                .orElseThrow()
                .sidecarUrl())
        .isEqualTo(URI.create("http://signer:9000"));
    assertThat(
            SignerSettings.from(
                    configOf(
                        Map.of(
                            "secretsdk.signer.mode",
                            "sidecar",
                            "secretsdk.signer.sidecar.url",
                            "unix:/run/signer/signer.sock")))
                .orElseThrow()
                .sidecarUrl())
        .isEqualTo(URI.create("unix:/run/signer/signer.sock"));

    assertThatThrownBy(
            () -> SignerSettings.from(configOf(Map.of("secretsdk.signer.mode", "remote"))))
        .hasMessage("secretsdk.signer.mode must be local or sidecar: remote");
    assertThatThrownBy(
            () ->
                SignerSettings.from(
                    configOf(
                        Map.of(
                            "secretsdk.signer.mode",
                            "sidecar",
                            "secretsdk.signer.sidecar.url",
                            "ftp://x"))))
        .hasMessage("secretsdk.signer.sidecar.url must be an http URL with a host: ftp://x");
  }

  @Test
  void badModeFailsDeploymentNamingTheValue() {
    properties.set("secretsdk.mounts", volume.toString()).set("secretsdk.signer.mode", "remote");

    assertThatThrownBy(this::startContainer)
        .hasMessageContaining("secretsdk.signer.mode must be local or sidecar: remote");
  }

  @Test
  void localModeWithoutMountsFailsDeploymentSayingWhatToSet() {
    properties.set("secretsdk.signer.mode", "local");

    assertThatThrownBy(this::startContainer).hasMessageContaining("set secretsdk.mounts");
  }

  @Test
  void defaultSidecarUrlIsTheSignersDefault() {
    // SignerSettings spells the default out so that it never loads Signer (an optional dependency).
    assertThat(SignerSettings.DEFAULT_SIDECAR_URL).isEqualTo(Signer.DEFAULT_SIDECAR_URI);
  }

  private static SmallRyeConfig configOf(Map<String, String> values) {
    return new SmallRyeConfigBuilder()
        .withSources(new io.smallrye.config.PropertiesConfigSource(values, "test", 100))
        .build();
  }
}
