package io.secretsdk.json;

import io.secretsdk.SecretException;

/**
 * A secret that should hold JSON does not parse, or does not bind to the type asked for. The
 * message names the secret, its origin and the position (line and column, or the JSON pointer of
 * the field that did not bind) and never contains any of the secret's content: Jackson's own
 * messages quote the input, so they are neither copied nor kept as a cause.
 */
public final class JsonSecretException extends SecretException {

  private static final long serialVersionUID = 1L;

  private final String secretName;
  private final long line;
  private final long column;

  JsonSecretException(String secretName, long line, long column, String message) {
    super(message);
    this.secretName = secretName;
    this.line = line;
    this.column = column;
  }

  /** A fresh exception with the same message, so every throw has the thrower's stack trace. */
  JsonSecretException copy() {
    return new JsonSecretException(secretName, line, column, getMessage());
  }

  /** The name of the secret that failed, for example {@code db}. */
  public String secretName() {
    return secretName;
  }

  /** The 1-based line where parsing failed, or {@code -1} when the failure is not a parse error. */
  public long line() {
    return line;
  }

  /**
   * The 1-based column where parsing failed, or {@code -1} when the failure is not a parse error.
   */
  public long column() {
    return column;
  }
}
