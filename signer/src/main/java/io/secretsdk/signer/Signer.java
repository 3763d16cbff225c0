package io.secretsdk.signer;

import io.secretsdk.SecretStore;
import java.net.URI;
import java.util.List;

/**
 * Signs and verifies messages with HMAC keys by name, either in this process ({@link
 * #local(SecretStore)}) or through the signer sidecar in the same pod ({@link #sidecar(URI)}), so
 * the application container never needs to see the key.
 *
 * <p>Both kinds produce the same string for the same key bytes, message and algorithm: {@code
 * v1:<key id>:<base64url MAC>}, where the key id is derived from the key bytes with a keyed
 * function (it identifies the key on every replica and reveals nothing usable about it) and the MAC
 * is the plain HMAC of the message. A signature made by either kind verifies on the other and on
 * every replica that holds the same key.
 *
 * <p>When a key rotates, new signatures use the new key at once and signatures made with the
 * previous keys still verify for a grace period (default 24 hours, a bounded number of old keys).
 * That memory is per process; a key set in the store survives restarts and is the same on every
 * replica: {@code <name>.previous} and {@code <name>.next} hold keys that verify for {@code <name>}
 * but never sign (names with these suffixes are reserved for that). Verification is constant-time.
 *
 * <p>Implementations are thread-safe. {@link #close()} is idempotent.
 *
 * <pre>{@code
 * try (Signer signer = Signer.sidecar(URI.create("http://127.0.0.1:8787"))) {
 *   String sig = signer.sign("webhook-key", body);
 *   boolean ok = signer.verify("webhook-key", body, sig);
 * }
 * }</pre>
 */
public interface Signer extends AutoCloseable {

  /** The signature format version prefix, {@code v1}. */
  String FORMAT_VERSION = "v1";

  /** Where the sidecar listens by default: {@code http://127.0.0.1:8787}. */
  URI DEFAULT_SIDECAR_URI = URI.create("http://127.0.0.1:8787");

  /**
   * A signer that reads keys from {@code store} by name and follows their rotation, with the
   * default grace period (24 hours), at most 4 old keys per name, a 16-byte minimum key length and
   * the UTC system clock. Closing the signer does not close the store.
   */
  static Signer local(SecretStore store) {
    return localBuilder(store).build();
  }

  /** A builder for a local signer with a different grace period, old-key bound or clock. */
  static LocalSignerBuilder localBuilder(SecretStore store) {
    return new LocalSignerBuilder(store);
  }

  /**
   * A client of the signer sidecar at {@code baseUri}: {@code http://127.0.0.1:8787} over loopback
   * TCP, or {@code unix:/run/signer/signer.sock} over a Unix domain socket; with the default
   * timeouts (connect 1 s, request 5 s) and 2 retries. It keeps a small pool of keep-alive
   * connections and starts no thread.
   */
  static Signer sidecar(URI baseUri) {
    return sidecarBuilder(baseUri).build();
  }

  /** A builder for a sidecar client with different timeouts, retries or batch sizes. */
  static SidecarSignerBuilder sidecarBuilder(URI baseUri) {
    return new SidecarSignerBuilder(baseUri);
  }

  /**
   * Signs {@code message} with the current key named {@code keyName} using HMAC-SHA256.
   *
   * @return {@code v1:<key id>:<base64url MAC>}
   * @throws SigningKeyNotFoundException if there is no usable key with this name
   * @throws SignerUnavailableException if the sidecar cannot be reached
   */
  default String sign(String keyName, byte[] message) {
    return sign(keyName, message, HmacAlgorithm.SHA256);
  }

  /** Signs {@code message} with the current key named {@code keyName} and the given algorithm. */
  String sign(String keyName, byte[] message, HmacAlgorithm algorithm);

  /**
   * Whether {@code signature} is a valid signature of {@code message} by the current key named
   * {@code keyName} or by one of its previous keys still within the grace period. The algorithm is
   * taken from the signature's MAC length. A malformed signature is simply not valid.
   *
   * @throws SigningKeyNotFoundException if there is no key with this name, current or previous
   * @throws SignerUnavailableException if the sidecar cannot be reached
   */
  boolean verify(String keyName, byte[] message, String signature);

  /** Signs every message with one key using HMAC-SHA256; the result is in the same order. */
  default List<String> signBatch(String keyName, List<byte[]> messages) {
    return signBatch(keyName, messages, HmacAlgorithm.SHA256);
  }

  /** Signs every message with one key and the given algorithm; the result is in the same order. */
  List<String> signBatch(String keyName, List<byte[]> messages, HmacAlgorithm algorithm);

  /**
   * Verifies {@code signatures.get(i)} against {@code messages.get(i)} for every {@code i}.
   *
   * @throws IllegalArgumentException if the lists differ in size
   */
  List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures);

  /**
   * The names this signer holds keys for, sorted, with their key ids (current, previous within
   * grace, verify-only members of the key set) and problems; never key bytes. Empty for a sidecar
   * client, which holds no keys (ask the sidecar's {@code /v1/health}).
   */
  default List<KeyStatus> keyStatus() {
    return List.of();
  }

  /** Releases the signer's resources (subscriptions, connections). Idempotent. */
  @Override
  void close();
}
