package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
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
  private WeldDeployment deployment;

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
    deployment =
        WeldDeployment.deploy(
            LivePasswordClient.class, InjectedPasswordClient.class, ChangeRecorder.class);
  }

  @AfterEach
  void stopContainer() {
    if (deployment != null) {
      deployment.close();
    }
  }

  private void rotate() {
    writer.writeStrings(Map.of("username", "app\n", "password", rotatedCanary + "\n"));
  }

  @Test
  void providerInjectionSeesTheRotatedValue() {
    LivePasswordClient client = deployment.get(LivePasswordClient.class);
    assertThat(client.password()).isEqualTo(canary);
    assertThat(client.username()).isEqualTo("app");

    rotate();

    await().atMost(PATIENCE).until(() -> client.password().equals(rotatedCanary));
    assertThat(client.username()).isEqualTo("app");
  }

  @Test
  void plainInjectedStringKeepsTheValueCurrentAtInjection() {
    InjectedPasswordClient before = deployment.get(InjectedPasswordClient.class);
    SecretStore store = deployment.get(SecretStore.class);

    rotate();
    await().atMost(PATIENCE).until(() -> store.snapshot().revision() == 2);

    assertThat(before.password).isEqualTo(canary);
    assertThat(deployment.get(InjectedPasswordClient.class).password).isEqualTo(rotatedCanary);
  }

  @Test
  void changeEventArrivesWithTheChangedNames() {
    ChangeRecorder recorder = deployment.get(ChangeRecorder.class);

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
    SecretStore bean = deployment.get(SecretStore.class);
    assertThat(ConfigProvider.getConfig()).isSameAs(deployment.config());

    assertThat(bean).isSameAs(findSource().store());
    assertThat(bean.require("db.username").asString()).isEqualTo("app");
  }

  @Test
  void containerShutdownClosesTheProviderStoreAndItsThreads() {
    SecretStore store = deployment.get(SecretStore.class);
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);

    deployment.container().shutdown();

    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(SharedSecretStores.owns(findSource())).isFalse();
    assertThat(deployment.config().getValue("db.password", String.class))
        .as("last values stay readable")
        .isEqualTo(canary);
  }

  @Test
  void withoutMountsTheExtensionAddsNothing() {
    deployment.close();
    properties.set("secretsdk.mounts", null);

    deployment = WeldDeployment.deploy(ChangeRecorder.class);

    assertThat(deployment.container().select(SecretStore.class).isUnsatisfied()).isTrue();
    assertThat(deployment.get(ChangeRecorder.class).events()).isEmpty();
  }

  private SecretsConfigSource findSource() {
    for (var source : deployment.config().getConfigSources()) {
      if (source instanceof SecretsConfigSource secrets) {
        return secrets;
      }
    }
    throw new AssertionError("no secretsdk source in " + deployment.config().getConfigSources());
  }
}
