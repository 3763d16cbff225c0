package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in its own Surefire execution ({@code without-jackson} in this module's pom) whose class
 * path has neither Jackson databind nor {@code secretsdk-json}, as in an application that never
 * asked for JSON expansion.
 */
class WithoutJacksonTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String canary;
  private KubernetesVolumeWriter writer;

  @BeforeEach
  void mount(Canaries canaries, SystemProperties properties) {
    canary = canaries.next("password");
    this.properties = properties;
    writer = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
    writer.writeStrings(Map.of("db", "{\"password\":\"" + canary + "\"}", "password", canary));
  }

  @AfterEach
  void cleanUp() {
    SharedSecretStores.closeAll();
  }

  @Test
  void theClassPathReallyHasNoJackson() {
    assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.secretsdk.json.JsonSecrets"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void plainMountsWorkWithoutJackson() {
    properties.set("secretsdk.mounts", writer.volume() + "=app");

    SmallRyeConfig config = new SmallRyeConfigBuilder().addDiscoveredSources().build();

    assertThat(config.getValue("app.password", String.class)).isEqualTo(canary);
    assertThat(config.getValue("app.db", String.class))
        .isEqualTo("{\"password\":\"" + canary + "\"}");
  }

  @Test
  void jsonExpandWithoutJacksonSaysWhatIsMissing() {
    properties.set("secretsdk.mounts", writer.volume() + "=app[json=expand]");

    assertThatThrownBy(() -> new SmallRyeConfigBuilder().addDiscoveredSources().build())
        .hasStackTraceContaining("[json=expand]' asks for JSON expansion")
        .hasStackTraceContaining("io.secretsdk:secretsdk-json")
        .hasStackTraceContaining("com.fasterxml.jackson.core:jackson-databind")
        .hasStackTraceContaining(writer.volume().toString());
    assertThat(SharedSecretStores.shutdownHookRegistered()).as("no store was started").isFalse();
  }
}
