package io.secretsdk.spring;

/**
 * A generation of a TLS volume that cannot be served: a file is missing, does not parse, or the
 * private key does not match the certificate. The message names the bundle and the file, never its
 * content. Immutable.
 */
final class SslMaterialException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  SslMaterialException(String message) {
    super(message);
  }
}
