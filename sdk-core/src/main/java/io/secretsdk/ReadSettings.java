package io.secretsdk;

import java.time.Duration;

/**
 * The reading options every source of one store shares. Immutable.
 *
 * @param readTimeout how long one whole read of a source may take before its thread is abandoned
 *     and the read reported as failed (see {@link BoundedRead})
 */
record ReadSettings(long maxSecretBytes, boolean trimTrailingNewline, Duration readTimeout) {

  /** The defaults: 1 MiB, no trimming, {@link BoundedRead#DEFAULT_TIMEOUT}. */
  static ReadSettings defaults() {
    return new ReadSettings(1024 * 1024, false);
  }

  ReadSettings(long maxSecretBytes, boolean trimTrailingNewline) {
    this(maxSecretBytes, trimTrailingNewline, BoundedRead.DEFAULT_TIMEOUT);
  }

  byte[] finish(byte[] value) {
    return trimTrailingNewline ? SecretNames.trimSingleLineNewline(value) : value;
  }
}
