package io.secretsdk;

/** The reading options every source of one store shares. Immutable. */
record ReadSettings(long maxSecretBytes, boolean trimTrailingNewline) {

  byte[] finish(byte[] value) {
    return trimTrailingNewline ? SecretNames.trimSingleLineNewline(value) : value;
  }
}
