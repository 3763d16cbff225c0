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
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * Subscribes to every imported store and publishes a {@link SecretsChangedEvent} for each change it
 * reports. Subscribes once the singletons exist, so listeners are ready; unsubscribes as soon as
 * its context starts closing (its {@link ContextClosedEvent}, before any bean is stopped or
 * destroyed), and drops a change that still arrives after that with a {@code DEBUG} line: the
 * application is going away, so nobody is left to apply it, and publishing into a closing context
 * would only fail. Thread-safe.
 */
final class SecretsChangePublisher
    implements SmartInitializingSingleton,
        ApplicationListener<ContextClosedEvent>,
        Ordered,
        DisposableBean {

  private static final System.Logger LOG = System.getLogger(SecretsChangePublisher.class.getName());

  private final SecretsImports imports;
  private final ApplicationEventPublisher publisher;
  private final Clock clock;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private boolean destroyed;
  private volatile boolean closing;

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
    if (closing) {
      dropped(location, change);
      return;
    }
    SecretsChangedEvent event =
        new SecretsChangedEvent(store, location, change.names(), change.current().revision());
    try {
      publisher.publishEvent(event);
    } catch (IllegalStateException e) {
      if (!closing) {
        throw e;
      }
      // The context started closing while the event was on its way (a listener asked for a bean
      // that is being destroyed, say): the same as a change that arrives after the close.
      dropped(location, change);
      return;
    }
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

  private static void dropped(String location, SecretChangeEvent change) {
    // Names only, never values.
    LOG.log(
        System.Logger.Level.DEBUG,
        () ->
            "dropped change of "
                + location
                + " (revision "
                + change.current().revision()
                + ", "
                + change.names()
                + "): the application context is closing");
  }

  /**
   * Stops publishing when this publisher's own context starts closing (a child context's close,
   * such as a management context's, is passed up to its parent and ignored here).
   */
  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    if (event.getApplicationContext() == publisher) {
      closing = true;
      destroy();
    }
  }

  /** First among the listeners of the close, before any of them tears something down. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
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
