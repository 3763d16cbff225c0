package io.secretsdk;

/**
 * Receives a {@link SecretChangeEvent} after the store published a snapshot that differs from the
 * previous one.
 *
 * <p>Listeners of one store are called one event at a time, in publication order, on the store's
 * notification thread (or the executor given to {@link SecretStoreBuilder#listenerExecutor}). A
 * listener that throws is logged, without values, and the others still run; a slow listener delays
 * later notifications but never refreshes.
 */
@FunctionalInterface
public interface SecretListener {

  /** Called once per published change. */
  void onChange(SecretChangeEvent event);
}
