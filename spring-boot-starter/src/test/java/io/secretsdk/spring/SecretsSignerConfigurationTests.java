package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.Signer;
import io.secretsdk.signer.sidecar.SignerSidecar;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SecretsSignerConfigurationTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static final byte[] MESSAGE = "payload".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  static Path keys;
  static String canaryKey;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class));

  @BeforeAll
  static void writeKeys(Canaries canaries) {
    keys = dir.resolve("keys");
    canaryKey = canaries.next("key");
    KubernetesVolumeWriter.kubelet(keys).writeStrings(Map.of("webhook-key", canaryKey));
  }

  private static ApplicationContextRunner importingKeys(ApplicationContextRunner runner) {
    return runner.withInitializer(
        context -> {
          SecretsImports imports = new SecretsImports();
          imports.obtain(
              SecretsConfigDataLocationResolver.resolve(keys.toString(), false, new Binder()),
              SecretsImports::build);
          imports.registerIn(context.getBeanFactory());
        });
  }

  @Test
  void noSignerUnlessAModeIsChosen() {
    importingKeys(runner)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Signer.class));
  }

  @Test
  void localModeSignsWithKeysFromTheImportedStore() {
    importingKeys(runner)
        .withPropertyValues("secretsdk.signer.mode=local")
        .run(
            context -> {
              Signer signer = context.getBean(Signer.class);
              String signature = signer.sign("webhook-key", MESSAGE);
              assertThat(signature).startsWith("v1:").doesNotContain(canaryKey);
              assertThat(signer.verify("webhook-key", MESSAGE, signature)).isTrue();
            });
  }

  @Test
  void sidecarModeSignsThroughARealSidecarAndAgreesWithLocalSigning() {
    try (SignerSidecar sidecar =
            SignerSidecar.builder().keysDirectory(keys).port(0).build().start();
        SecretStore store = SecretStore.builder().mount(keys).build();
        Signer local = Signer.local(store)) {
      runner
          .withPropertyValues(
              "secretsdk.signer.mode=sidecar",
              "secretsdk.signer.sidecar.url=" + sidecar.uri(),
              "secretsdk.signer.sidecar.request-timeout=10s")
          .run(
              context -> {
                String signature = context.getBean(Signer.class).sign("webhook-key", MESSAGE);
                assertThat(local.verify("webhook-key", MESSAGE, signature)).isTrue();
              });
    }
  }

  @Test
  void sidecarModeWithoutUrlFailsNamingTheProperty() {
    runner
        .withPropertyValues("secretsdk.signer.mode=sidecar")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("secretsdk.signer.sidecar.url"));
  }

  @Test
  void localModeWithoutStoreFailsSayingWhatToImport() {
    runner
        .withPropertyValues("secretsdk.signer.mode=local")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("spring.config.import=secrets:"));
  }
}
