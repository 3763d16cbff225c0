package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SecretsSslAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(SecretsSslAutoConfiguration.class, SslAutoConfiguration.class));

  @Test
  void withoutBundlePropertiesNothingIsCreated() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(SecretsSslBundleRegistrar.class);
          assertThat(context).doesNotHaveBean("secretsSslHealthIndicator");
        });
  }

  @Test
  void aVolumeBecomesANamedBundleAndItsWatcherStopsWithTheContext(@TempDir Path dir) {
    KubernetesVolumeWriter.kubelet(dir.resolve("tls"))
        .writeStrings(TestCertificates.selfSigned(7).tlsSecret());

    runner
        .withPropertyValues("secretsdk.ssl.bundle.api.location=" + dir.resolve("tls"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(SslBundles.class).getBundleNames()).contains("api");
              assertThat(context.getBean(SecretsSslBundleRegistrar.class).bundles()).hasSize(1);
              assertThat(context).hasBean("secretsSslHealthIndicator");
            });
  }

  @Test
  void aMissingVolumeFailsStartupNamingTheBundleAndTheDirectory(@TempDir Path dir) {
    runner
        .withPropertyValues("secretsdk.ssl.bundle.api.location=" + dir.resolve("absent"))
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .hasStackTraceContaining("SSL bundle 'api': mount:");
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining(dir.resolve("absent").toString());
            });
  }

  @Test
  void customFileNamesAreReadFromTheSameGeneration(@TempDir Path dir) {
    TestCertificates.Pem pem = TestCertificates.selfSigned(8);
    KubernetesVolumeWriter.kubelet(dir.resolve("tls"))
        .writeStrings(
            java.util.Map.of(
                "certs/server.pem", pem.certificate(), "keys/server-key.pem", pem.privateKey()));

    runner
        .withPropertyValues(
            "secretsdk.ssl.bundle.api.location=" + dir.resolve("tls"),
            "secretsdk.ssl.bundle.api.keystore.certificate=certs/server.pem",
            "secretsdk.ssl.bundle.api.keystore.private-key=keys/server-key.pem")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              java.security.cert.X509Certificate served =
                  (java.security.cert.X509Certificate)
                      context
                          .getBean(SslBundles.class)
                          .getBundle("api")
                          .getStores()
                          .getKeyStore()
                          .getCertificate("ssl");
              assertThat(served.getSerialNumber()).isEqualTo(pem.serial());
            });
  }
}
