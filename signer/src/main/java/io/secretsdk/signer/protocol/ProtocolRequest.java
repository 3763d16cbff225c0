package io.secretsdk.signer.protocol;

import java.util.List;

/**
 * A decoded {@code /v1/hmac} or {@code /v1/verify} request body: the messages (base64-decoded), the
 * signatures to verify (verify only), whether it was the batch form, and the {@code algorithm}
 * field as sent. Immutable once decoded; the byte arrays are the decoder's and not copied.
 */
public final class ProtocolRequest {

  private final List<byte[]> inputs;
  private final List<String> signatures;
  private final boolean batch;
  private final String algorithm;

  ProtocolRequest(List<byte[]> inputs, List<String> signatures, boolean batch, String algorithm) {
    this.inputs = inputs;
    this.signatures = signatures;
    this.batch = batch;
    this.algorithm = algorithm;
  }

  /** The messages, in request order (one for the single form). */
  public List<byte[]> inputs() {
    return inputs;
  }

  /** The signatures to verify, one per input; null for a sign request. */
  public List<String> signatures() {
    return signatures;
  }

  /** Whether the request used {@code batch_input} (the answer then uses {@code batch_results}). */
  public boolean batch() {
    return batch;
  }

  /** The {@code algorithm} field as sent, or null. */
  public String algorithm() {
    return algorithm;
  }
}
