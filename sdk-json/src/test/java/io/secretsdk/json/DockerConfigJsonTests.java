package io.secretsdk.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigJsonTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private String canary;
  private String rotatedCanary;
  private final JsonSecrets json = JsonSecrets.create();
  private KubernetesVolumeWriter writer;
  private SecretStore store;

  @BeforeEach
  void start(Canaries canaries) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    writer = KubernetesVolumeWriter.kubelet(tmp.resolve("pull-secret"));
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private void mount(String dockerConfigJson) {
    writer.writeStrings(Map.of(".dockerconfigjson", dockerConfigJson));
    if (store == null) {
      store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    } else {
      store.refresh();
    }
  }

  @Test
  void readsUsernamePasswordAndAuthPerRegistry() {
    mount(
        "{\"auths\":{"
            + "\"registry.example.com\":{\"username\":\"robot\",\"password\":\""
            + canary
            + "\",\"auth\":\""
            + base64("robot:" + canary)
            + "\"},"
            + "\"https://index.docker.io/v1/\":{\"auth\":\""
            + base64("hubuser:" + rotatedCanary)
            + "\"},"
            + "\"ghcr.io\":{\"username\":\"gh\",\"password\":\"pat:with:colons\"},"
            + "\"token-only.example.com\":{\"identitytoken\":\"x\"}}}");

    DockerConfigJson config = json.dockerConfig(store);

    assertThat(config.registries())
        .containsOnlyKeys("ghcr.io", "https://index.docker.io/v1/", "registry.example.com");
    DockerRegistryCredential robot = config.registry("registry.example.com").orElseThrow();
    assertThat(robot.username()).isEqualTo("robot");
    assertThat(robot.password()).isEqualTo(canary);
    assertThat(robot.auth()).isEqualTo(base64("robot:" + canary));
    DockerRegistryCredential hub = config.registry("docker.io").orElseThrow();
    assertThat(hub.username()).isEqualTo("hubuser");
    assertThat(hub.password()).isEqualTo(rotatedCanary);
    assertThat(config.registry("https://ghcr.io/v2/").orElseThrow().auth())
        .isEqualTo(base64("gh:pat:with:colons"));
    assertThat(config.registry("quay.io")).isEmpty();
    assertThat(config.toString() + robot + hub)
        .doesNotContain(canary)
        .doesNotContain(rotatedCanary)
        .contains("robot");
  }

  @Test
  void readsTheLegacyDockercfgLayout() {
    writer.writeStrings(
        Map.of(
            ".dockercfg",
            "{\"registry.example.com\":{\"auth\":\"" + base64("u:" + canary) + "\"}}"));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();

    assertThat(
            json.dockerConfig(store.require(".dockercfg"))
                .registry("registry.example.com")
                .orElseThrow()
                .password())
        .isEqualTo(canary);
  }

  @Test
  void rotationIsSeenAndABrokenRotationKeepsTheLastGoodCredentials() {
    mount("{\"auths\":{\"r.example.com\":{\"username\":\"u\",\"password\":\"" + canary + "\"}}}");
    assertThat(json.dockerConfig(store).registry("r.example.com").orElseThrow().password())
        .isEqualTo(canary);

    mount(
        "{\"auths\":{\"r.example.com\":{\"username\":\"u\",\"password\":\""
            + rotatedCanary
            + "\"}");

    assertThat(json.dockerConfig(store).registry("r.example.com").orElseThrow().password())
        .isEqualTo(canary);
    assertThat(json.problem(".dockerconfigjson")).isPresent();

    mount(
        "{\"auths\":{\"r.example.com\":{\"username\":\"u\",\"password\":\""
            + rotatedCanary
            + "\"}}}");

    assertThat(json.dockerConfig(store).registry("r.example.com").orElseThrow().password())
        .isEqualTo(rotatedCanary);
  }

  @Test
  void anAuthThatIsNotBase64NamesTheRegistryNotTheValue() {
    mount("{\"auths\":{\"r.example.com\":{\"auth\":\"" + canary + "!!\"}}}");

    assertThatThrownBy(() -> json.dockerConfig(store))
        .isInstanceOf(JsonSecretException.class)
        .hasMessageContaining("r.example.com")
        .hasMessageContaining(".dockerconfigjson")
        .message()
        .doesNotContain(canary);
  }

  @Test
  void aDocumentThatIsNotAnObjectIsRefused() {
    mount("[\"" + canary + "\"]");

    assertThatThrownBy(() -> json.dockerConfig(store))
        .isInstanceOf(JsonSecretException.class)
        .hasMessageContaining("is not a docker config")
        .message()
        .doesNotContain(canary);
  }
}
