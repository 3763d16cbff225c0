package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.origin.TextResourceOrigin;

@ExtendWith(SecretLeakExtension.class)
class SecretsPropertySourceTests {

  @TempDir Path dir;
  private SecretStore store;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private SecretsPropertySource source(Path volume, String prefix) {
    store = SecretStore.builder().mount(volume, prefix).trimTrailingNewline(true).build();
    return new SecretsPropertySource("test", store);
  }

  @Test
  void answersNamesValuesAndFileOriginsFromTheSnapshot() {
    Path volume = dir.resolve("db");
    KubernetesVolumeWriter.kubelet(volume)
        .writeStrings(Map.of("username", "admin\n", "password", "s3cret"));

    SecretsPropertySource source = source(volume, "spring.datasource.");

    assertThat(source.getPropertyNames())
        .containsExactly("spring.datasource.password", "spring.datasource.username");
    assertThat(source.getProperty("spring.datasource.username")).isEqualTo("admin");
    assertThat(source.containsProperty("spring.datasource.password")).isTrue();
    assertThat(source.getProperty("username")).isNull();
    assertThat(source.getOrigin("spring.datasource.username"))
        .isInstanceOfSatisfying(
            TextResourceOrigin.class,
            origin -> assertThat(origin.getResource().getFilename()).isEqualTo("username"));
    assertThat(source.getOrigin("missing")).isNull();
  }

  @Test
  void followsKubeletRotationWithoutBeingRebuilt(Canaries canaries) {
    Path volume = dir.resolve("db");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("password", "old", "retired", "r"));
    SecretsPropertySource source = source(volume, "");
    assertThat(source.getPropertyNames()).containsExactly("password", "retired");

    String rotated = canaries.next("rotated");
    writer.writeStrings(Map.of("password", rotated, "token", "t"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(source.getProperty("password")).isEqualTo(rotated);
              assertThat(source.getPropertyNames()).containsExactly("password", "token");
              assertThat(source.containsProperty("retired")).isFalse();
              assertThat(source.getProperty("retired")).isNull();
            });
  }

  @Test
  void reusesTheNamesArrayWhileTheSnapshotIsUnchanged() {
    Path volume = dir.resolve("db");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "1", "b", "2"));
    SecretsPropertySource source = source(volume, "");

    assertThat(source.getPropertyNames()).isSameAs(source.getPropertyNames());
  }

  @Test
  void decodesInvalidUtf8LikeConfigtreeInsteadOfFailing() {
    Path volume = dir.resolve("bin");
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 'a'};
    KubernetesVolumeWriter.kubelet(volume).write(Map.of("keystore", binary));

    SecretsPropertySource source = source(volume, "");

    assertThat(source.getProperty("keystore"))
        .isEqualTo(new String(binary, StandardCharsets.UTF_8));
  }
}
