package io.secretsdk;

import java.time.Duration;
import java.util.Arrays;

/**
 * The reading options every source of one store shares. Immutable.
 *
 * @param maxSecretBytes the largest value accepted
 * @param trimTrailingNewline whether {@link #finish} drops one trailing line break
 * @param maxSecretBytesSetting how the user raises the limit in their integration, for messages
 * @param readTimeout how long one whole read of a source may take before its thread is abandoned
 *     and the read reported as failed (see {@link BoundedRead})
 */
record ReadSettings(
    long maxSecretBytes,
    boolean trimTrailingNewline,
    String maxSecretBytesSetting,
    Duration readTimeout) {

  ReadSettings(long maxSecretBytes, boolean trimTrailingNewline) {
    this(maxSecretBytes, trimTrailingNewline, SecretSettings.CORE_MAX_SECRET_BYTES_SETTING);
  }

  ReadSettings(long maxSecretBytes, boolean trimTrailingNewline, String maxSecretBytesSetting) {
    this(maxSecretBytes, trimTrailingNewline, maxSecretBytesSetting, BoundedRead.DEFAULT_TIMEOUT);
  }

  static ReadSettings of(SecretSettings settings) {
    return new ReadSettings(
        settings.maxSecretBytes(),
        settings.trimTrailingNewline(),
        settings.maxSecretBytesSetting());
  }

  /** The defaults: 1 MiB, no trimming, {@link BoundedRead#DEFAULT_TIMEOUT}. */
  static ReadSettings defaults() {
    return new ReadSettings(1024 * 1024, false);
  }

  /** The value as the store keeps it: with one trailing line break dropped if so configured. */
  byte[] finish(byte[] value) {
    return trimTrailingNewline ? trimSingleLineNewline(value) : value;
  }

  /**
   * Drops one trailing {@code \n} or {@code \r\n} when it is the only line break in the value, the
   * rule Spring Boot's {@code configtree:} applies.
   */
  static byte[] trimSingleLineNewline(byte[] value) {
    int n = value.length;
    if (n == 0 || value[n - 1] != '\n') {
      return value;
    }
    for (int i = 0; i < n - 1; i++) {
      if (value[i] == '\n') {
        return value;
      }
    }
    int end = (n >= 2 && value[n - 2] == '\r') ? n - 2 : n - 1;
    return Arrays.copyOf(value, end);
  }
}
