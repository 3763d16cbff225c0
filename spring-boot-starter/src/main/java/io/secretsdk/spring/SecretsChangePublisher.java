package io.secretsdk.spring;

import io.secretsdk.SecretChangeEvent;
import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Subscribes to every imported store and publishes a {@link SecretsChangedEvent} for each change
 * it reports. Subscribes once the singletons exist, so listeners are ready; unsubscribes when the
 * context is destroyed. Thread-safe.
 */
final class SecretsChangePublisher implements SmartInitializingSingleton, DisposableBean {

  private static final System.Logger LOG = System.getLogger(SecretsChangePublisher.class.getName());

  private final SecretsImports imports;
  private final ApplicationEventPublisher publisher;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean destroyed;

  SecretsChangePublisher(SecretsImports imports, ApplicationEventPublisher publisher) {
    this.imports = imports;
    this.publisher = publisher;
  }

  @Override
  public void afterSingletonsInstantiated() {
    imports.forEachStore(this::subscribe);
  }

  private void subscribe(String location, SecretStore store) {
    SecretStore view = new ImportedSecretStore(store);
    Subscription subscription = store.subscribe(event -> publish(location, view, event));
    synchronized (this) {
      if (!destroyed) {
        subscriptions.add(subscription);
        return;
      }
    }
    subscription.close();
  }

  private void publish(String location, SecretStore store, SecretChangeEvent change) {
    // Names only: the core's event toString and ours never contain values.
    LOG.log(System.Logger.Level.DEBUG, () -> "secrets changed in " + location + ": " + change.names());
    publisher.publishEvent(
        new SecretsChangedEvent(store, location, change.names(), change.current().revision()));
  }

  @Override
  public void destroy() {
    List<Subscription> toClose;
    synchronized (this) {
      destroyed = true;
      toClose = new ArrayList<>(subscriptions);
      subscriptions.clear();
    }
    toClose.forEach(Subscription::close);
  }
}
