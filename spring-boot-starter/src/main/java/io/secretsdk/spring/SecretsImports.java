package io.secretsdk.spring;

import io.secretsdk.SecretStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;

/**
 * The stores behind the application's {@code secrets:} imports, one per imported location, in
 * import order. Available as a bean named {@value #BEAN_NAME} whenever at least one {@code
 * secrets:} import was processed.
 *
 * <p>The loader creates each store once and keeps it here, in Spring Boot's bootstrap context, so
 * that re-processing the environment (Spring Cloud's {@code /actuator/refresh}) reuses the running
 * store instead of starting a second watcher. The stores are closed when the application context is
 * destroyed.
 *
 * <p>Thread-safe. The stores handed out cannot be closed by callers; the application context owns
 * them.
 */
public final class SecretsImports {

  /** The name of the bean this registry is published as. */
  public static final String BEAN_NAME = "secretsImports";

  private final Map<String, SecretStore> stores = new LinkedHashMap<>();
  private final List<BiConsumer<String, SecretStore>> listeners = new ArrayList<>();
  private boolean closed;

  SecretsImports() {}

  /**
   * Every imported location (as written, without {@code optional:}) and its store, in import order.
   */
  public synchronized Map<String, SecretStore> stores() {
    Map<String, SecretStore> copy = new LinkedHashMap<>();
    stores.forEach((location, store) -> copy.put(location, new ImportedSecretStore(store)));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * The store of one imported location, as written in {@code spring.config.import} without {@code
   * optional:}.
   */
  public synchronized Optional<SecretStore> store(String location) {
    SecretStore store = stores.get(location);
    return store == null ? Optional.empty() : Optional.of(new ImportedSecretStore(store));
  }

  /** How many locations were imported. */
  public synchronized int size() {
    return stores.size();
  }

  /** The store for {@code resource}: the running one, or a new one built by {@code factory}. */
  SecretStore obtain(
      SecretsConfigDataResource resource,
      Function<SecretsConfigDataResource, SecretStore> factory) {
    List<BiConsumer<String, SecretStore>> toNotify;
    SecretStore created;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the application's secrets imports were already closed");
      }
      SecretStore existing = stores.get(resource.location());
      if (existing != null) {
        return existing;
      }
      created = factory.apply(resource);
      stores.put(resource.location(), created);
      toNotify = List.copyOf(listeners);
    }
    toNotify.forEach(listener -> listener.accept(resource.location(), created));
    return created;
  }

  /** Calls {@code listener} for every store now and for every store imported later. */
  void forEachStore(BiConsumer<String, SecretStore> listener) {
    Map<String, SecretStore> current;
    synchronized (this) {
      listeners.add(listener);
      current = new LinkedHashMap<>(stores);
    }
    current.forEach(listener);
  }

  /**
   * Publishes this registry as the {@value #BEAN_NAME} bean of {@code beanFactory}, destroyed (and
   * its stores closed) with it, also when the context's refresh fails.
   */
  void registerIn(ConfigurableListableBeanFactory beanFactory) {
    if (beanFactory.containsSingleton(BEAN_NAME)) {
      return;
    }
    beanFactory.registerSingleton(BEAN_NAME, this);
    if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
      registry.registerDisposableBean(BEAN_NAME, this::close);
    }
  }

  /** Closes every store. Idempotent. */
  void close() {
    List<SecretStore> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(stores.values());
      listeners.clear();
    }
    toClose.forEach(SecretStore::close);
  }

  /** Builds the store of one import from its settings. */
  static SecretStore build(SecretsConfigDataResource resource) {
    return SecretStore.builder().settings(resource.settings()).build();
  }

  @Override
  public synchronized String toString() {
    return "SecretsImports" + stores.keySet();
  }
}
