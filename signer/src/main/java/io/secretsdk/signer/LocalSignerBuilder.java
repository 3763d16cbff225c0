package io.secretsdk.signer;

import io.secretsdk.SecretStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** Configures a {@link Signer#local(SecretStore) local signer}. Not thread-safe. */
public final class LocalSignerBuilder {

  /** The default grace period during which a rotated-out key still verifies: 24 hours. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(24);

  /** The default number of previous keys kept per name: 4. */
  public static final int DEFAULT_MAX_OLD_KEYS = 4;

  /** The default minimum key length: 16 bytes (128 bits). */
  public static final int DEFAULT_MIN_KEY_BYTES = 16;

  final SecretStore store;
  Duration grace = DEFAULT_GRACE;
  int maxOldKeys = DEFAULT_MAX_OLD_KEYS;
  int minKeyBytes = DEFAULT_MIN_KEY_BYTES;
  Clock clock = Clock.systemUTC();
  boolean eager;

  LocalSignerBuilder(SecretStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * How long a key keeps verifying after it was rotated out or removed (default 24 hours); {@link
   * Duration#ZERO} means only the current key verifies.
   */
  public LocalSignerBuilder grace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace period cannot be negative: " + grace);
    }
    this.grace = grace;
    return this;
  }

  /** How many previous keys per name are kept for verification (default 4, at most 64). */
  public LocalSignerBuilder maxOldKeys(int maxOldKeys) {
    if (maxOldKeys < 0 || maxOldKeys > 64) {
      throw new IllegalArgumentException("max old keys must be between 0 and 64: " + maxOldKeys);
    }
    this.maxOldKeys = maxOldKeys;
    return this;
  }

  /**
   * The shortest key accepted, in bytes (default 16). A shorter key is reported as unusable and
   * signing with it fails; it is never silently used.
   */
  public LocalSignerBuilder minKeyBytes(int minKeyBytes) {
    if (minKeyBytes < 1) {
      throw new IllegalArgumentException(
          "minimum key length must be at least 1 byte: " + minKeyBytes);
    }
    this.minKeyBytes = minKeyBytes;
    return this;
  }

  /** The clock that times grace periods (default UTC system clock); tests inject their own. */
  public LocalSignerBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Whether to load every name in the store at once and on every change (default {@code false}: a
   * name is loaded the first time it is used). The sidecar loads eagerly so it can report key ids
   * at startup and in its health answer.
   */
  public LocalSignerBuilder eager(boolean eager) {
    this.eager = eager;
    return this;
  }

  /** The signer, subscribed to the store's changes. */
  public Signer build() {
    return new LocalSigner(this);
  }
}
