package io.secretsdk.signer;

import java.util.List;
import java.util.Objects;

/** The argument checks every {@link Signer} makes for a batch, worded once. */
final class BatchArguments {

  private BatchArguments() {}

  /**
   * Checks that {@code messages} and {@code signatures} are given and pair up one to one.
   *
   * @throws NullPointerException if either list is {@code null}
   * @throws IllegalArgumentException if their sizes differ
   */
  static void checkOneSignaturePerMessage(List<byte[]> messages, List<String> signatures) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(signatures, "signatures");
    if (messages.size() != signatures.size()) {
      throw new IllegalArgumentException(
          "verifyBatch needs one signature per message: "
              + messages.size()
              + " messages, "
              + signatures.size()
              + " signatures");
    }
  }
}
