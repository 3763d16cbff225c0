package io.secretsdk.microprofile;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * The test application deployed as an application server deploys one: a SmallRye config of the
 * default and discovered sources (system properties included, so {@code secretsdk.mounts} set by a
 * test counts), registered for the thread's class loader, then a Weld SE container with discovery
 * on, so the portable extensions in {@code META-INF/services} (ours and SmallRye Config's) load as
 * in a real application, and only the given classes are beans. Closing it undeploys: the container
 * shuts down (if a test has not already), the config is released and the stores the config sources
 * shared are closed.
 *
 * <p>Not thread-safe; one per test.
 */
final class WeldDeployment implements AutoCloseable {

  private final SmallRyeConfig config;
  private final WeldContainer container;

  private WeldDeployment(SmallRyeConfig config, WeldContainer container) {
    this.config = config;
    this.container = container;
  }

  /**
   * Deploys {@code beanClasses}; a deployment that fails releases its config and closes its stores
   * before the failure is rethrown.
   */
  static WeldDeployment deploy(Class<?>... beanClasses) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    ConfigProviderResolver resolver = ConfigProviderResolver.instance();
    resolver.releaseConfig(resolver.getConfig(loader));
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .forClassLoader(loader)
            .addDefaultSources()
            .addDiscoveredSources()
            .build();
    resolver.registerConfig(config, loader);
    try {
      return new WeldDeployment(config, new Weld().addBeanClasses(beanClasses).initialize());
    } catch (RuntimeException e) {
      resolver.releaseConfig(config);
      SharedSecretStores.closeAll();
      throw e;
    }
  }

  SmallRyeConfig config() {
    return config;
  }

  WeldContainer container() {
    return container;
  }

  /** The one bean of {@code type}. */
  <T> T get(Class<T> type) {
    return container.select(type).get();
  }

  @Override
  public void close() {
    if (container.isRunning()) {
      container.shutdown();
    }
    ConfigProviderResolver.instance().releaseConfig(config);
    SharedSecretStores.closeAll();
  }
}
