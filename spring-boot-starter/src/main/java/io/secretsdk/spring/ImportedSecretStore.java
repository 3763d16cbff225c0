package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretListener;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.SecretView;
import io.secretsdk.Subscription;
import java.util.Optional;

/**
 * A store owned by the application context, as handed to application code: everything but {@link
 * #close()}, which does nothing, so a bean consumer cannot stop the live property source.
 * Thread-safe as the store it wraps.
 */
final class ImportedSecretStore implements SecretStore {

  private final SecretStore delegate;

  ImportedSecretStore(SecretStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<Secret> get(String name) {
    return delegate.get(name);
  }

  @Override
  public Secret require(String name) {
    return delegate.require(name);
  }

  @Override
  public SecretSnapshot snapshot() {
    return delegate.snapshot();
  }

  @Override
  public Subscription subscribe(SecretListener listener) {
    return delegate.subscribe(listener);
  }

  @Override
  public SecretSnapshot refresh() {
    return delegate.refresh();
  }

  @Override
  public SecretStoreHealth health() {
    return delegate.health();
  }

  /** Forwarded, so a view built on the imported store shows in the store's health. */
  @Override
  public Subscription registerView(SecretView<?> view) {
    return delegate.registerView(view);
  }

  /** Does nothing: the application context closes imported stores when it is destroyed. */
  @Override
  public void close() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof ImportedSecretStore other && delegate.equals(other.delegate);
  }

  @Override
  public int hashCode() {
    return delegate.hashCode();
  }

  @Override
  public String toString() {
    return "ImportedSecretStore[" + delegate + "]";
  }
}
