package io.secretsdk.spring;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.secretsdk.SecretStore;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of secretsdk for applications that import {@code secrets:} locations. Every
 * bean but {@link SecretsProperties} and an explicitly requested {@code Signer} requires at least
 * one such import; without one, the starter starts no thread and creates nothing else.
 *
 * <ul>
 *   <li>{@link SecretStore} — the store of the import, when there is exactly one (with several,
 *       inject {@link SecretsImports});
 *   <li>a publisher of {@link SecretsChangedEvent} ({@code secretsdk.refresh.enabled});
 *   <li>with Spring Cloud Context: Spring Cloud's {@code EnvironmentChangeEvent} so
 *       {@code @ConfigurationProperties} beans rebind, and optionally a refresh of
 *       {@code @RefreshScope} beans ({@code secretsdk.refresh.refresh-scope=true});
 *   <li>with the actuator: the {@code secrets} health indicator, the {@code secrets} endpoint and a
 *       sanitizing function that masks every value of ours in {@code /actuator/env} and {@code
 *       /actuator/configprops};
 *   <li>with Micrometer: {@code secretsdk.*} meters;
 *   <li>a {@code Signer} when {@code secretsdk.signer.mode} is {@code local} or {@code sidecar}.
 * </ul>
 *
 * <p>Every bean backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(SecretsProperties.class)
@Import(SecretsSignerConfiguration.class)
public final class SecretsAutoConfiguration {

  /** Created by Spring. */
  public SecretsAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  @Conditional(SingleSecretsImportCondition.class)
  SecretStore secretStore(SecretsImports imports) {
    return imports.stores().values().iterator().next();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(SecretsImports.class)
  @ConditionalOnProperty(name = "secretsdk.refresh.enabled", matchIfMissing = true)
  SecretsChangePublisher secretsChangePublisher(
      SecretsImports imports, ApplicationEventPublisher publisher) {
    return new SecretsChangePublisher(imports, publisher);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(EnvironmentChangeEvent.class)
  @ConditionalOnBean(SecretsImports.class)
  @ConditionalOnProperty(name = "secretsdk.refresh.enabled", matchIfMissing = true)
  static class CloudRefreshConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SecretsEnvironmentChangeListener secretsEnvironmentChangeListener(
        ApplicationContext context,
        SecretsProperties properties,
        ObjectProvider<RefreshScope> refreshScope) {
      SecretsProperties.Refresh refresh = properties.getRefresh();
      return new SecretsEnvironmentChangeListener(
          context,
          refresh.isEnvironmentChangeEvent(),
          refresh.isRefreshScope() ? refreshScope.getIfAvailable() : null);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnBean(SecretsImports.class)
  static class HealthConfiguration {

    // Conditions whose classes may be missing sit on the method: the class's own conditions are
    // all loaded before @ConditionalOnClass can skip it.
    @Bean
    @ConditionalOnEnabledHealthIndicator("secrets")
    @ConditionalOnMissingBean(name = "secretsHealthIndicator")
    HealthIndicator secretsHealthIndicator(SecretsImports imports) {
      return new SecretsHealthIndicator(imports);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({SanitizingFunction.class, ConditionalOnAvailableEndpoint.class})
  @ConditionalOnBean(SecretsImports.class)
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(SecretsEndpoint.class)
    SecretsEndpoint secretsEndpoint(SecretsImports imports) {
      return new SecretsEndpoint(imports);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "secretsSanitizingFunction")
    SanitizingFunction secretsSanitizingFunction(Environment environment) {
      return new SecretsSanitizingFunction(
          environment instanceof ConfigurableEnvironment configurable ? configurable : null);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  @ConditionalOnBean(SecretsImports.class)
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "secretsMetrics")
    MeterBinder secretsMetrics(SecretsImports imports) {
      return new SecretsMetrics(imports, Clock.systemUTC());
    }
  }
}
