package io.secretsdk.spring;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;

/**
 * Registers one Spring Boot SSL bundle per {@code secretsdk.ssl.bundle.<name>.location} and keeps
 * each one following its volume until the context closes. Spring Boot's {@code
 * SslAutoConfiguration} calls {@link #registerBundles} when it creates the registry, before the web
 * server asks for {@code server.ssl.bundle}.
 *
 * <p>Thread-safe.
 */
final class SecretsSslBundleRegistrar implements SslBundleRegistrar, DisposableBean {

  private final SecretsSslProperties properties;
  private final Clock clock;
  private final List<SecretsSslBundle> bundles = new ArrayList<>();
  private boolean destroyed;

  SecretsSslBundleRegistrar(SecretsSslProperties properties, Clock clock) {
    this.properties = properties;
    this.clock = clock;
  }

  @Override
  public void registerBundles(SslBundleRegistry registry) {
    for (String name : properties.getBundle().keySet()) {
      bundle(name).register(registry);
    }
  }

  /**
   * The bundle {@code name}, its volume opened on the first call: by the registry, or earlier by
   * the bundle's {@code TlsView} bean.
   *
   * @throws IllegalStateException when no {@code secretsdk.ssl.bundle.<name>} is configured or the
   *     context is closing
   */
  synchronized SecretsSslBundle bundle(String name) {
    if (destroyed) {
      throw new IllegalStateException(
          "SSL bundle '" + name + "': the application context is closing");
    }
    for (SecretsSslBundle bundle : bundles) {
      if (bundle.name().equals(name)) {
        return bundle;
      }
    }
    SecretsSslProperties.Bundle settings = properties.getBundle().get(name);
    if (settings == null) {
      throw new IllegalStateException(
          "no SSL bundle '" + name + "': set secretsdk.ssl.bundle." + name + ".location");
    }
    SecretsSslBundle bundle = SecretsSslBundle.open(name, settings, clock);
    bundles.add(bundle);
    return bundle;
  }

  /** The bundles opened so far, in the order they were opened. */
  synchronized List<SecretsSslBundle> bundles() {
    return List.copyOf(bundles);
  }

  /** Stops following every volume. Idempotent. */
  @Override
  public void destroy() {
    List<SecretsSslBundle> toClose;
    synchronized (this) {
      destroyed = true;
      toClose = new ArrayList<>(bundles);
      bundles.clear();
    }
    toClose.forEach(SecretsSslBundle::close);
  }
}
