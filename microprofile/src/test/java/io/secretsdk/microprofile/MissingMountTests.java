package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, item 7: a missing required mount is what the user sees, not WELD-001408. */
class MissingMountTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private WeldContainer container;

  /** An application bean that needs the store, as the one in the report did. */
  @ApplicationScoped
  static class StoreClient {
    @Inject SecretStore store;

    SecretStore store() {
      return store;
    }
  }

  @BeforeEach
  void start(SystemProperties properties) {
    this.properties = properties;
  }

  @AfterEach
  void cleanUp() {
    if (container != null && container.isRunning()) {
      container.shutdown();
    }
    releaseConfig();
    SharedSecretStores.closeAll();
  }

  private static void releaseConfig() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    try {
      resolver.releaseConfig(resolver.getConfig(loader));
    } catch (RuntimeException e) {
      // No config could be built for this loader: nothing to release.
    }
  }

  private static String everything(Throwable t) {
    StringWriter text = new StringWriter();
    t.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  @Test
  void aMissingRequiredMountFailsDeploymentWithTheRealCause() {
    Path missing = tmp.resolve("not-mounted");
    releaseConfig();
    properties.set("secretsdk.mounts", missing + "=db");

    Throwable failure =
        catchThrowable(() -> container = new Weld().addBeanClasses(StoreClient.class).initialize());

    assertThat(failure).as("deployment fails").isNotNull();
    assertThat(failure.getMessage())
        .contains("directory " + missing + " does not exist; check the volume's mountPath")
        .doesNotContain("WELD-001408");
    assertThat(everything(failure))
        .doesNotContain("WELD-001408")
        .doesNotContain("Unsatisfied dependencies");
  }

  @Test
  void aMalformedSettingFailsDeploymentNamingTheSetting() {
    releaseConfig();
    properties.set("secretsdk.mounts", tmp + "=db").set("secretsdk.ordinal", "high");

    Throwable failure =
        catchThrowable(() -> container = new Weld().addBeanClasses(StoreClient.class).initialize());

    assertThat(failure).isNotNull();
    assertThat(failure.getMessage())
        .contains("secretsdk.ordinal must be an integer: high")
        .doesNotContain("WELD-001408");
  }

  @Test
  void aPresentMountDeploysAndInjects() {
    releaseConfig();
    properties.set("secretsdk.mounts", tmp + "=db");

    container = new Weld().addBeanClasses(StoreClient.class).initialize();

    assertThat(container.select(StoreClient.class).get().store().health().status()).isNotNull();
    assertThat(ConfigProvider.getConfig().getConfigSources())
        .anyMatch(SecretsConfigSource.class::isInstance);
  }
}
