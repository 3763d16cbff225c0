package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 8: secretsdk.mounts in microprofile-config.properties is not silently ignored. */
class MisplacedSettingsTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private String canary;
  private LogCapture logs;

  @BeforeEach
  void start(Canaries canaries, LogCapture logs) {
    MisplacedSettings.reset();
    canary = canaries.next("app-password");
    this.logs = logs;
  }

  @AfterEach
  void stop() {
    SharedSecretStores.closeAll();
    MisplacedSettings.reset();
  }

  private URLClassLoader loaderWith(String file, String content) throws IOException {
    Path root = tmp.resolve("classes-" + UUID.randomUUID());
    Path properties = root.resolve(file);
    Files.createDirectories(properties.getParent());
    Files.writeString(properties, content);
    return new URLClassLoader(new URL[] {root.toUri().toURL()}, getClass().getClassLoader());
  }

  private long warnings() {
    return logs.records().stream()
        .filter(r -> r.message().contains("is ignored: a config source cannot read the config"))
        .count();
  }

  @Test
  void mountsInMicroprofileConfigPropertiesAreWarnedAboutOnce() throws IOException {
    try (URLClassLoader loader =
        loaderWith(
            "META-INF/microprofile-config.properties",
            "secretsdk.mounts=/etc/secrets/db=db\nsecretsdk.watch=false\napp.password="
                + canary
                + "\n")) {
      SmallRyeConfig first =
          new SmallRyeConfigBuilder()
              .forClassLoader(loader)
              .addDefaultSources()
              .addDiscoveredSources()
              .build();
      new SmallRyeConfigBuilder()
          .forClassLoader(loader)
          .addDefaultSources()
          .addDiscoveredSources()
          .build();

      assertThat(first.getOptionalValue("secretsdk.mounts", String.class))
          .as("the file is read by the config")
          .isPresent();
      assertThat(warnings()).isEqualTo(1);
      assertThat(logs.text())
          .contains("[secretsdk.mounts, secretsdk.watch]")
          .contains("microprofile-config.properties")
          .contains("-Dsecretsdk.mounts=")
          .contains("SECRETSDK_MOUNTS=")
          .doesNotContain("/etc/secrets/db=db")
          .doesNotContain(canary);
    }
  }

  @Test
  void quarkusApplicationPropertiesAreCheckedToo() throws IOException {
    try (URLClassLoader loader =
        loaderWith("application.properties", "secretsdk.mounts=/etc/secrets/db\n")) {
      new SecretsConfigSourceProvider().getConfigSources(loader);

      assertThat(warnings()).isEqualTo(1);
      assertThat(logs.text()).contains("application.properties");
    }
  }

  @Test
  void settingsReadThroughConfigAreNotWarnedAbout() throws IOException {
    try (URLClassLoader loader =
        loaderWith(
            "META-INF/microprofile-config.properties",
            "secretsdk.signer.mode=sidecar\nsecretsdk.health.readiness.degraded=down\nother.key=1\n")) {
      new SecretsConfigSourceProvider().getConfigSources(loader);

      assertThat(warnings()).isZero();
    }
  }
}
