package io.secretsdk;

/**
 * A source could not be read as one consistent generation: a missing or vanished directory, an
 * unreadable, oversized or unstable file, a symlink that leaves the mount, a dangling link, or
 * conflicting environment variables. The store keeps serving its last good snapshot.
 */
public final class SecretReadException extends SecretException {

  private static final long serialVersionUID = 1L;

  private final String source;

  // Paths and names come from the file system: control characters in them are escaped here, the
  // one place every read error passes, so no file name can forge a log line or health text.
  SecretReadException(String source, String message) {
    super(ControlCharacters.escape(source + ": " + message));
    this.source = source;
  }

  SecretReadException(String source, String message, Throwable cause) {
    super(ControlCharacters.escape(source + ": " + message), cause);
    this.source = source;
  }

  /** The source that failed, for example {@code mount:/etc/secrets/db}. */
  public String source() {
    return source;
  }
}
