package io.secretsdk.spring;

import io.secretsdk.SecretChangeEvent;
import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Subscribes to every imported store and publishes a {@link SecretsChangedEvent} for each change it
 * reports. Subscribes once the singletons exist, so listeners are ready; unsubscribes when the
 * context is destroyed. Thread-safe.
 */
final class SecretsChangePublisher implements SmartInitializingSingleton, DisposableBean {

  private static final System.Logger LOG = System.getLogger(SecretsChangePublisher.class.getName());

  private final SecretsImports imports;
  private final ApplicationEventPublisher publisher;
  private final Clock clock;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean destroyed;

  SecretsChangePublisher(SecretsImports imports, ApplicationEventPublisher publisher) {
    this(imports, publisher, Clock.systemUTC());
  }

  SecretsChangePublisher(SecretsImports imports, ApplicationEventPublisher publisher, Clock clock) {
    this.imports = imports;
    this.publisher = publisher;
    this.clock = clock;
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
    SecretsChangedEvent event =
        new SecretsChangedEvent(store, location, change.names(), change.current().revision());
    publisher.publishEvent(event);
    // After every listener ran (rebinding, refresh scope): the change is applied. Names only.
    long millis = Duration.between(change.current().loadedAt(), clock.instant()).toMillis();
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "applied change of "
                + location
                + ": revision "
                + event.getRevision()
                + ", "
                + event.getNames().size()
                + (event.getNames().size() == 1 ? " name " : " names ")
                + event.getNames()
                + ", "
                + Math.max(0, millis)
                + " ms after the swap");
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
