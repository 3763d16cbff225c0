package io.secretsdk;

/**
 * Told when a {@link SecretView} installed a new value.
 *
 * <p>Called on the store's notification thread, one change at a time and in order, so each call's
 * {@code previous} is the {@code current} of the call before. A listener that throws is logged (its
 * class and the exception type, never a message that could quote a value) and the others still run.
 * Implementations need not be thread-safe for one view: calls never overlap.
 *
 * @param <T> the view's value type
 */
@FunctionalInterface
public interface SecretViewListener<T> {

  /**
   * Called once per installed change.
   *
   * @param previous the value installed before, or {@code null} when the view had none
   * @param current the value installed now, never {@code null}
   */
  void onChange(T previous, T current);
}
