package io.secretsdk.spring;

import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Spring Boot SSL bundles from mounted TLS volumes: {@code secretsdk.ssl.bundle.<name>.location}
 * registers bundle {@code <name>} with Boot's {@code SslBundleRegistry} and updates it on every
 * generation, so {@code server.ssl.bundle=<name>} serves the current certificate; and a core {@code
 * TlsView} bean per bundle, named {@code <name>TlsView} with the qualifier {@code <name>}. With the
 * actuator, the {@code secretsSsl} health indicator. Nothing is created without a {@code
 * secretsdk.ssl.bundle.*} property.
 */
@AutoConfiguration(before = SslAutoConfiguration.class)
@Conditional(SecretsSslBundlesCondition.class)
@EnableConfigurationProperties(SecretsSslProperties.class)
@Import(SecretsTlsViewRegistrar.class)
public final class SecretsSslAutoConfiguration {

  /** Created by Spring. */
  public SecretsSslAutoConfiguration() {}

  @Bean(SecretsTlsViewRegistrar.BUNDLE_REGISTRAR_BEAN)
  @ConditionalOnMissingBean
  SecretsSslBundleRegistrar secretsSslBundleRegistrar(SecretsSslProperties properties) {
    return new SecretsSslBundleRegistrar(properties, Clock.systemUTC());
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {

    @Bean
    @ConditionalOnEnabledHealthIndicator("secrets-ssl")
    @ConditionalOnMissingBean(name = "secretsSslHealthIndicator")
    HealthIndicator secretsSslHealthIndicator(SecretsSslBundleRegistrar registrar) {
      return new SecretsSslHealthIndicator(registrar, Clock.systemUTC());
    }
  }
}
