package io.secretsdk.microprofile;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.build.compatible.spi.Parameters;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanCreator;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticComponents;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Readiness;

/**
 * Adds the {@link SecretsHealthCheck} bean for the build-compatible extension. Its own class,
 * loaded only when the Health API is present. Stateless.
 */
final class LiteHealthRegistration {

  private LiteHealthRegistration() {}

  static void add(SyntheticComponents components) {
    components
        .addBean(HealthCheck.class)
        .type(HealthCheck.class)
        .qualifier(Readiness.Literal.INSTANCE)
        .scope(Singleton.class)
        .createWith(HealthCheckCreator.class);
  }

  /** Creates the readiness check at run time; instantiated by the container, not API. */
  public static final class HealthCheckCreator implements SyntheticBeanCreator<HealthCheck> {

    /** Called by the container. */
    public HealthCheckCreator() {}

    @Override
    public HealthCheck create(Instance<Object> lookup, Parameters params) {
      return SecretsHealthCheck.of(
          SecretsBuildCompatibleExtension.requireSource(), ConfigProvider.getConfig());
    }
  }
}
