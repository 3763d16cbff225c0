package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SecretsAutoConfigurationTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  @TempDir static Path dir;
  static Path db;
  static Path api;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class))
          .withPropertyValues("management.endpoints.web.exposure.include=secrets");

  @BeforeAll
  static void writeVolumes() {
    db = dir.resolve("db");
    api = dir.resolve("api");
    KubernetesVolumeWriter.kubelet(db).writeStrings(Map.of("password", "pw"));
    KubernetesVolumeWriter.kubelet(api).writeStrings(Map.of("token", "t"));
  }

  /** What the loader does: one store per location, published as the secretsImports bean. */
  private static ApplicationContextRunner importing(
      ApplicationContextRunner runner, Path... volumes) {
    return runner.withInitializer(
        context -> {
          SecretsImports imports = new SecretsImports();
          for (Path volume : volumes) {
            imports.obtain(
                SecretsConfigDataLocationResolver.resolve(volume.toString(), false, new Binder()),
                SecretsImports::build);
          }
          imports.registerIn(context.getBeanFactory());
        });
  }

  private static Set<String> secretsdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("secretsdk-"))
        .collect(Collectors.toSet());
  }

  @Test
  void withoutImportOnlyThePropertiesBeanExists() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().hasSingleBean(SecretsProperties.class);
          assertThat(context)
              .doesNotHaveBean(SecretStore.class)
              .doesNotHaveBean(SecretsImports.class)
              .doesNotHaveBean(SecretsChangePublisher.class)
              .doesNotHaveBean(HealthIndicator.class)
              .doesNotHaveBean(SecretsEndpoint.class)
              .doesNotHaveBean(MeterBinder.class)
              .doesNotHaveBean(SanitizingFunction.class)
              .doesNotHaveBean(SecretsEnvironmentChangeListener.class);
        });
  }

  @Test
  void fullApplicationWithoutImportStartsNoThreadAndNoStore() {
    Set<String> before = secretsdkThreads();
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(AutoConfigured.class).web(WebApplicationType.NONE).run()) {
      assertThat(context.getBeansOfType(SecretStore.class)).isEmpty();
      assertThat(context.containsBean(SecretsImports.BEAN_NAME)).isFalse();
      assertThat(secretsdkThreads()).isEqualTo(before);
    }
  }

  @Test
  void oneImportGivesEveryBeanAndAnUnclosableStore() {
    importing(runner, db)
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(SecretStore.class)
                  .hasSingleBean(SecretsChangePublisher.class)
                  .hasSingleBean(SecretsEndpoint.class)
                  .hasSingleBean(SecretsEnvironmentChangeListener.class)
                  .hasBean("secretsHealthIndicator")
                  .hasBean("secretsMetrics")
                  .hasBean("secretsSanitizingFunction");
              SecretStore store = context.getBean(SecretStore.class);
              store.close();
              assertThat(store.require("password").asString()).isEqualTo("pw");
              assertThat(store.health().status().name()).isEqualTo("UP");
            });
  }

  @Test
  void importedStoresCloseWithTheContext() {
    SecretStore[] seen = new SecretStore[1];
    importing(runner, db)
        .run(
            context ->
                seen[0] =
                    context.getBean(SecretsImports.class).stores().values().iterator().next());
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(seen[0].health().status().name()).isEqualTo("DOWN"));
  }

  @Test
  void severalImportsGiveNoSingleStoreButTheRegistry() {
    importing(runner, db, api)
        .run(
            context -> {
              assertThat(context)
                  .doesNotHaveBean(SecretStore.class)
                  .hasSingleBean(SecretsImports.class);
              assertThat(context.getBean(SecretsImports.class).stores()).hasSize(2);
              assertThat(context).hasSingleBean(SecretsEndpoint.class);
            });
  }

  @Test
  void userBeansReplaceOurs() {
    importing(runner, db)
        .withUserConfiguration(UserBeans.class)
        .run(
            context -> {
              assertThat(context.getBean(SecretStore.class)).isSameAs(UserBeans.STORE);
              assertThat(context.getBean("secretsHealthIndicator")).isSameAs(UserBeans.HEALTH);
            });
  }

  @Test
  void withoutSpringCloudContextNoEnvironmentChangeListener() {
    importing(runner, db)
        .withClassLoader(new FilteredClassLoader(EnvironmentChangeEvent.class))
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(SecretsChangePublisher.class)
                    .doesNotHaveBean(SecretsEnvironmentChangeListener.class));
  }

  @Test
  void withoutActuatorOrMicrometerTheCoreBeansStillWork() {
    importing(runner, db)
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate",
                "org.springframework.boot.health",
                "io.micrometer"))
        .run(
            context ->
                assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(SecretStore.class)
                    .hasSingleBean(SecretsChangePublisher.class)
                    .doesNotHaveBean("secretsHealthIndicator")
                    .doesNotHaveBean("secretsMetrics")
                    .doesNotHaveBean(SecretsEndpoint.class));
  }

  @Test
  void refreshCanBeTurnedOff() {
    importing(runner, db)
        .withPropertyValues("secretsdk.refresh.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(SecretsChangePublisher.class)
                    .doesNotHaveBean(SecretsEnvironmentChangeListener.class));
  }

  @Test
  void healthIndicatorAndEndpointFollowActuatorSwitches() {
    importing(runner, db)
        .withPropertyValues(
            "management.health.secrets.enabled=false",
            "management.endpoints.web.exposure.include=health")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean("secretsHealthIndicator")
                    .doesNotHaveBean(SecretsEndpoint.class));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class AutoConfigured {}

  @Configuration(proxyBeanMethods = false)
  static class UserBeans {
    static final SecretStore STORE = SecretStore.builder().watch(false).build();
    static final HealthIndicator HEALTH =
        () -> org.springframework.boot.health.contributor.Health.up().build();

    @Bean
    SecretStore mySecretStore() {
      return STORE;
    }

    @Bean
    HealthIndicator secretsHealthIndicator() {
      return HEALTH;
    }
  }
}
