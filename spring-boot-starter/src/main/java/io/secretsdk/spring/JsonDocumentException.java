package io.secretsdk.spring;

/**
 * A secret that starts like a JSON object but is not valid JSON. The message names the secret and
 * the position (line and column, when the parser reports them), never the content. Immutable.
 */
final class JsonDocumentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  JsonDocumentException(String message) {
    super(message, null, false, false);
  }
}
