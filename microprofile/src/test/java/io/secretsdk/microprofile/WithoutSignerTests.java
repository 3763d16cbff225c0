package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in its own Surefire execution ({@code without-signer} in this module's pom) whose class path
 * has neither {@code secretsdk-signer} nor {@code secretsdk-signer-sidecar}, as in an application
 * that never asked for a {@code Signer}: the portable extension must not need them.
 */
class WithoutSignerTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String canary;
  private KubernetesVolumeWriter writer;
  private WeldDeployment deployment;

  /** An ordinary bean using the config source and the store. */
  @ApplicationScoped
  static class PasswordClient {
    @Inject
    @ConfigProperty(name = "app.password")
    String password;

    @Inject SecretStore store;

    String password() {
      return password;
    }

    String passwordFromStore() {
      return store.get("app.password").orElseThrow().asString();
    }
  }

  @BeforeEach
  void mount(Canaries canaries, SystemProperties properties) {
    canary = canaries.next("password");
    this.properties = properties;
    writer = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
    writer.writeStrings(Map.of("password", canary));
    properties.set("secretsdk.mounts", writer.volume() + "=app");
  }

  @AfterEach
  void stopContainer() {
    if (deployment != null) {
      deployment.close();
    }
  }

  private void startContainer() {
    deployment = WeldDeployment.deploy(PasswordClient.class);
  }

  @Test
  void theClassPathReallyHasNoSigner() {
    assertThatThrownBy(() -> Class.forName("io.secretsdk.signer.Signer"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.secretsdk.signer.sidecar.SignerSidecar"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void containerStartsAndInjectsConfigAndStoreWithoutSigner() {
    startContainer();
    PasswordClient client = deployment.get(PasswordClient.class);

    assertThat(client.password()).isEqualTo(canary);
    assertThat(client.passwordFromStore()).isEqualTo(canary);
  }

  @Test
  void localSignerModeWithoutSignerFailsDeploymentNamingTheArtifact() {
    properties.set("secretsdk.signer.mode", "local");

    assertThatThrownBy(this::startContainer)
        .hasStackTraceContaining("secretsdk.signer.mode=local needs io.secretsdk:secretsdk-signer")
        .hasStackTraceContaining("add the dependency io.secretsdk:secretsdk-signer");
  }

  @Test
  void sidecarSignerModeWithoutSignerFailsDeploymentNamingTheArtifact() {
    properties.set("secretsdk.signer.mode", "sidecar");

    assertThatThrownBy(this::startContainer)
        .hasStackTraceContaining(
            "secretsdk.signer.mode=sidecar needs io.secretsdk:secretsdk-signer");
  }
}
