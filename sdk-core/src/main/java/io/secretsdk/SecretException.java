package io.secretsdk;

/**
 * The root of every exception secretsdk throws. Messages name the secret, file or source and say
 * what to do; they never contain a secret value.
 */
public class SecretException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that must not contain secret values. */
  public SecretException(String message) {
    super(message);
  }

  /** Creates an exception with a message that must not contain secret values, and its cause. */
  public SecretException(String message, Throwable cause) {
    super(message, cause);
  }
}
