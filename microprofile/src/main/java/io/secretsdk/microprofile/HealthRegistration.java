package io.secretsdk.microprofile;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Readiness;

/**
 * Adds the {@link SecretsHealthCheck} bean for the portable extension. Its own class, loaded only
 * after {@link SecretsSources#healthApiPresent()} said yes, so the extension runs without the
 * Health API. Stateless.
 */
final class HealthRegistration {

  private HealthRegistration() {}

  static void add(AfterBeanDiscovery discovery, SecretsConfigSource source, Config config) {
    SecretsHealthCheck check;
    try {
      check = SecretsHealthCheck.of(source, config);
    } catch (IllegalArgumentException e) {
      discovery.addDefinitionError(e);
      return;
    }
    discovery
        .<HealthCheck>addBean()
        .beanClass(SecretsHealthCheck.class)
        .types(HealthCheck.class, Object.class)
        .qualifiers(Readiness.Literal.INSTANCE, Any.Literal.INSTANCE)
        .scope(Singleton.class)
        .createWith(context -> check);
  }
}
