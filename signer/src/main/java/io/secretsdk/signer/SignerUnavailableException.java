package io.secretsdk.signer;

import io.secretsdk.SecretException;

/**
 * The signer sidecar could not be reached or did not answer in time, after the configured retries:
 * it is down, still starting, overloaded, or the URL is wrong. Retrying later may work; the request
 * itself was not rejected.
 */
public class SignerUnavailableException extends SecretException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that must not contain secret values. */
  public SignerUnavailableException(String message) {
    super(message);
  }

  /** Creates an exception with a message that must not contain secret values, and its cause. */
  public SignerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
