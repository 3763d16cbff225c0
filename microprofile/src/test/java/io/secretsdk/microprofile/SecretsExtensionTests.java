package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SecretsExtensionTests {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String canary;
  private String rotatedCanary;
  private KubernetesVolumeWriter writer;
  private SmallRyeConfig config;
  private WeldContainer container;

  /** Reads the password through a {@code Provider}, so every call sees the current value. */
  @ApplicationScoped
  static class LivePasswordClient {
    @Inject
    @ConfigProperty(name = "db.password")
    Provider<String> password;

    @Inject
    @ConfigProperty(name = "db.username")
    Supplier<String> username;

    String password() {
      return password.get();
    }

    String username() {
      return username.get();
    }
  }

  /** Holds the value current when it was created. */
  @Dependent
  static class InjectedPasswordClient {
    @Inject
    @ConfigProperty(name = "db.password")
    String password;
  }

  /** Records every change event. */
  @ApplicationScoped
  static class ChangeRecorder {
    private final List<SecretsChanged> events = new CopyOnWriteArrayList<>();

    void onChange(@Observes SecretsChanged change) {
      events.add(change);
    }

    List<SecretsChanged> events() {
      return events;
    }
  }

  @BeforeEach
  void startContainer(Canaries canaries, SystemProperties properties) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    this.properties = properties;
    Path volume = tmp.resolve("db");
    writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "app\n", "password", canary + "\n"));
    properties.set("secretsdk.mounts", volume + "=db");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    resolver.releaseConfig(resolver.getConfig(loader));
    config =
        new SmallRyeConfigBuilder()
            .forClassLoader(loader)
            .addDefaultSources()
            .addDiscoveredSources()
            .build();
    resolver.registerConfig(config, loader);
    container =
        new Weld()
            // Discovery on, so Weld loads the portable extensions (ours and SmallRye Config's)
            // from META-INF/services as a real application would; no beans.xml means only the
            // classes added here are beans.
            .addBeanClasses(
                LivePasswordClient.class, InjectedPasswordClient.class, ChangeRecorder.class)
            .initialize();
  }

  @AfterEach
  void stopContainer() {
    if (container.isRunning()) {
      container.shutdown();
    }
    ConfigProviderResolver.instance().releaseConfig(config);
    SharedSecretStores.closeAll();
  }

  private void rotate() {
    writer.writeStrings(Map.of("username", "app\n", "password", rotatedCanary + "\n"));
  }

  @Test
  void providerInjectionSeesTheRotatedValue() {
    LivePasswordClient client = container.select(LivePasswordClient.class).get();
    assertThat(client.password()).isEqualTo(canary);
    assertThat(client.username()).isEqualTo("app");

    rotate();

    await().atMost(PATIENCE).until(() -> client.password().equals(rotatedCanary));
    assertThat(client.username()).isEqualTo("app");
  }

  @Test
  void plainInjectedStringKeepsTheValueCurrentAtInjection() {
    InjectedPasswordClient before = container.select(InjectedPasswordClient.class).get();
    SecretStore store = container.select(SecretStore.class).get();

    rotate();
    await().atMost(PATIENCE).until(() -> store.snapshot().revision() == 2);

    assertThat(before.password).isEqualTo(canary);
    assertThat(container.select(InjectedPasswordClient.class).get().password)
        .isEqualTo(rotatedCanary);
  }

  @Test
  void changeEventArrivesWithTheChangedNames() {
    ChangeRecorder recorder = container.select(ChangeRecorder.class).get();

    rotate();

    await().atMost(PATIENCE).until(() -> !recorder.events().isEmpty());
    SecretsChanged change = recorder.events().get(0);
    assertThat(change.changed()).containsExactly("db.password");
    assertThat(change.added()).isEmpty();
    assertThat(change.removed()).isEmpty();
    assertThat(change.names()).containsExactly("db.password");
    assertThat(change.revision()).isEqualTo(2);
    assertThat(change.toString()).doesNotContain(canary).doesNotContain(rotatedCanary);
  }

  @Test
  void storeBeanIsTheStoreTheConfigSourceReads() {
    SecretStore bean = container.select(SecretStore.class).get();
    assertThat(ConfigProvider.getConfig()).isSameAs(config);

    assertThat(bean).isSameAs(findSource().store());
    assertThat(bean.require("db.username").asString()).isEqualTo("app");
  }

  @Test
  void containerShutdownClosesTheProviderStoreAndItsThreads() {
    SecretStore store = container.select(SecretStore.class).get();
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    container.shutdown();

    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(SharedSecretStores.owns(findSource())).isFalse();
    assertThat(config.getValue("db.password", String.class))
        .as("last values stay readable")
        .isEqualTo(canary);
  }

  @Test
  void withoutMountsTheExtensionAddsNothing() {
    container.shutdown();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver.instance().releaseConfig(config);
    properties.set("secretsdk.mounts", null);
    config =
        new SmallRyeConfigBuilder()
            .forClassLoader(loader)
            .addDefaultSources()
            .addDiscoveredSources()
            .build();
    ConfigProviderResolver.instance().registerConfig(config, loader);

    container = new Weld().addBeanClasses(ChangeRecorder.class).initialize();

    assertThat(container.select(SecretStore.class).isUnsatisfied()).isTrue();
    assertThat(container.select(ChangeRecorder.class).get().events()).isEmpty();
  }

  private SecretsConfigSource findSource() {
    for (var source : config.getConfigSources()) {
      if (source instanceof SecretsConfigSource secrets) {
        return secrets;
      }
    }
    throw new AssertionError("no secretsdk source in " + config.getConfigSources());
  }
}
