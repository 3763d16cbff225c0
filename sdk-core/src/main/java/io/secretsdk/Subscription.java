package io.secretsdk;

/** A listener registration; closing it stops further notifications. Thread-safe and idempotent. */
public interface Subscription extends AutoCloseable {

  /** Stops notifications to the listener. Calling it again does nothing. */
  @Override
  void close();
}
