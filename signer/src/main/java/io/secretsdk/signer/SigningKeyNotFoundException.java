package io.secretsdk.signer;

import io.secretsdk.SecretException;

/**
 * The signer has no usable key with this name: no such file in the keys directory (or the store),
 * the key was removed and its grace period is over, or the key cannot be used (for example it is
 * shorter than the minimum length). The sidecar answers {@code 404} in these cases.
 */
public class SigningKeyNotFoundException extends SecretException {

  private static final long serialVersionUID = 1L;

  private final String keyName;

  /** Creates an exception for the key name, with a message that must not contain secret values. */
  public SigningKeyNotFoundException(String keyName, String message) {
    super(message);
    this.keyName = keyName;
  }

  /** The key name that was asked for. */
  public String keyName() {
    return keyName;
  }
}
