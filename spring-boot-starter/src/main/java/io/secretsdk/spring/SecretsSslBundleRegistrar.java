package io.secretsdk.spring;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  SecretsSslBundleRegistrar(SecretsSslProperties properties, Clock clock) {
    this.properties = properties;
    this.clock = clock;
  }

  @Override
  public void registerBundles(SslBundleRegistry registry) {
    for (Map.Entry<String, SecretsSslProperties.Bundle> entry : properties.getBundle().entrySet()) {
      SecretsSslBundle bundle = SecretsSslBundle.open(entry.getKey(), entry.getValue(), clock);
      synchronized (this) {
        bundles.add(bundle);
      }
      bundle.register(registry);
    }
  }

  /** The bundles registered so far, in registration order. */
  synchronized List<SecretsSslBundle> bundles() {
    return List.copyOf(bundles);
  }

  /** Stops following every volume. Idempotent. */
  @Override
  public void destroy() {
    List<SecretsSslBundle> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(bundles);
      bundles.clear();
    }
    toClose.forEach(SecretsSslBundle::close);
  }
}
