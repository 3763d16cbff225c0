package io.secretsdk.signer.protocol;

/**
 * Where a request goes: health, sign or verify, with the decoded key name and an optional
 * Vault-style algorithm path suffix ({@code /v1/hmac/{key}/sha2-512}). Immutable.
 */
public final class ProtocolRoute {

  /** The three endpoints. */
  public enum Endpoint {
    /** {@code GET /v1/health} (also {@code HEAD}). */
    HEALTH,
    /** {@code POST /v1/hmac/{key}}. */
    SIGN,
    /** {@code POST /v1/verify/{key}}. */
    VERIFY
  }

  private final Endpoint endpoint;
  private final String keyName;
  private final String pathAlgorithm;
  private final boolean head;

  private ProtocolRoute(Endpoint endpoint, String keyName, String pathAlgorithm, boolean head) {
    this.endpoint = endpoint;
    this.keyName = keyName;
    this.pathAlgorithm = pathAlgorithm;
    this.head = head;
  }

  /**
   * Routes a request by method and raw (still percent-encoded) path.
   *
   * @throws ProtocolException {@code 404} for an unknown path, {@code 405} (with Allow) for a wrong
   *     method
   */
  public static ProtocolRoute of(String method, String rawPath) throws ProtocolException {
    String path = rawPath == null ? "" : rawPath;
    if (path.equals(SignerProtocol.HEALTH_PATH)) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        throw new ProtocolException(
            405,
            "method "
                + SignerProtocol.printable(method, 64)
                + " is not allowed on "
                + SignerProtocol.HEALTH_PATH
                + "; use GET",
            "GET, HEAD");
      }
      return new ProtocolRoute(Endpoint.HEALTH, null, null, method.equals("HEAD"));
    }
    boolean sign = path.startsWith(SignerProtocol.HMAC_PATH);
    boolean verify = path.startsWith(SignerProtocol.VERIFY_PATH);
    if (!sign && !verify) {
      throw new ProtocolException(
          404,
          "no such endpoint: "
              + SignerProtocol.printable(path, 64)
              + " (use /v1/hmac/{key}, /v1/verify/{key} or /v1/health)");
    }
    String rest =
        path.substring(
            sign ? SignerProtocol.HMAC_PATH.length() : SignerProtocol.VERIFY_PATH.length());
    int slash = rest.indexOf('/');
    String rawKey = slash < 0 ? rest : rest.substring(0, slash);
    String algorithm = slash < 0 ? null : rest.substring(slash + 1);
    if (rawKey.isEmpty()
        || (algorithm != null && (algorithm.isEmpty() || algorithm.indexOf('/') >= 0))) {
      throw new ProtocolException(
          404,
          "no such endpoint: "
              + SignerProtocol.printable(path, 64)
              + " (use /v1/"
              + (sign ? "hmac" : "verify")
              + "/{key})");
    }
    if (!method.equals("POST")) {
      throw new ProtocolException(
          405,
          "method " + SignerProtocol.printable(method, 64) + " is not allowed here; use POST",
          "POST");
    }
    return new ProtocolRoute(
        sign ? Endpoint.SIGN : Endpoint.VERIFY,
        SignerProtocol.decodeKeySegment(rawKey),
        algorithm,
        false);
  }

  /** The endpoint. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The decoded key name (sign and verify), or null for health. */
  public String keyName() {
    return keyName;
  }

  /** The algorithm path suffix as sent, or null. */
  public String pathAlgorithm() {
    return pathAlgorithm;
  }

  /** Whether it was a {@code HEAD} request (health only): answer without a body. */
  public boolean head() {
    return head;
  }
}
