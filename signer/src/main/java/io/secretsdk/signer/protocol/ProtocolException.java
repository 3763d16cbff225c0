package io.secretsdk.signer.protocol;

/**
 * A request or answer that breaks the signer protocol, with the HTTP status the sidecar answers
 * ({@code 400}, {@code 404}, {@code 405}, {@code 413}, {@code 415}) or {@link #MALFORMED_ANSWER}
 * when a client could not read an answer. The message is fit for the other side: it names fields
 * and positions, never request data or key bytes. Immutable.
 */
public final class ProtocolException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The status of an answer the client could not read (not an HTTP status). */
  public static final int MALFORMED_ANSWER = 0;

  private final int status;
  private final String allow;

  /** An error with its status and message. */
  public ProtocolException(int status, String message) {
    this(status, message, null);
  }

  /** An error with its status, message and, for {@code 405}, the {@code Allow} header value. */
  public ProtocolException(int status, String message, String allow) {
    super(message, null, false, false);
    this.status = status;
    this.allow = allow;
  }

  /** The HTTP status to answer, or {@link #MALFORMED_ANSWER}. */
  public int status() {
    return status;
  }

  /** The methods allowed on the path (for {@code 405}), or null. */
  public String allow() {
    return allow;
  }
}
