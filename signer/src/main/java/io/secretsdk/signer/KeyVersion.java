package io.secretsdk.signer;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import io.secretsdk.Secret;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key's bytes, its public key id and a {@link Mac} per thread and algorithm. Immutable apart
 * from the per-thread {@code Mac}s, which only their own thread touches.
 *
 * <p>The key id is {@code base64url(HMAC-SHA256(key, "secretsdk/signer/key-id/v1")[0..9])}: the
 * same on every replica that holds the same bytes, and, HMAC being a pseudo-random function, it
 * says nothing about the key beyond what any MAC made with it says. Twelve characters (72 bits)
 * make accidental collisions between the handful of keys a name ever has negligible; if two ever
 * collided, verification would simply try both.
 */
final class KeyVersion {

  static final int KEY_ID_BYTES = 9;
  static final int KEY_ID_CHARS = 12;
  private static final byte[] KEY_ID_LABEL = "secretsdk/signer/key-id/v1".getBytes(US_ASCII);
  static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

  private final byte[] key;
  private final SecretKeySpec sha256Key;
  private final SecretKeySpec sha384Key;
  private final SecretKeySpec sha512Key;
  private final String id;
  private final byte[] prefix;
  private final ThreadLocal<Mac> sha256 =
      ThreadLocal.withInitial(() -> newMac(HmacAlgorithm.SHA256));
  private final ThreadLocal<Mac> sha384 =
      ThreadLocal.withInitial(() -> newMac(HmacAlgorithm.SHA384));
  private final ThreadLocal<Mac> sha512 =
      ThreadLocal.withInitial(() -> newMac(HmacAlgorithm.SHA512));

  KeyVersion(byte[] keyBytes) {
    if (keyBytes.length == 0) {
      throw new IllegalArgumentException("empty key");
    }
    this.key = keyBytes.clone();
    this.sha256Key = new SecretKeySpec(key, HmacAlgorithm.SHA256.jcaName());
    this.sha384Key = new SecretKeySpec(key, HmacAlgorithm.SHA384.jcaName());
    this.sha512Key = new SecretKeySpec(key, HmacAlgorithm.SHA512.jcaName());
    byte[] idMac = newMac(HmacAlgorithm.SHA256).doFinal(KEY_ID_LABEL);
    this.id = B64URL.encodeToString(Arrays.copyOf(idMac, KEY_ID_BYTES));
    this.prefix = (Signer.FORMAT_VERSION + ":" + id + ":").getBytes(US_ASCII);
  }

  /** The public key id, 12 base64url characters. */
  String id() {
    return id;
  }

  /** Whether the secret holds exactly this key's bytes (compared in constant time). */
  boolean sameBytes(Secret secret) {
    return secret.valueEquals(key);
  }

  boolean sameBytes(KeyVersion other) {
    return MessageDigest.isEqual(key, other.key);
  }

  /** The raw MAC of the message with this key. */
  byte[] mac(HmacAlgorithm algorithm, byte[] message) {
    // doFinal resets the Mac, so the next call on this thread starts clean.
    return mac(algorithm).doFinal(message);
  }

  /** {@code v1:<id>:<base64url MAC>}. */
  String sign(HmacAlgorithm algorithm, byte[] message) {
    byte[] encoded = B64URL.encode(mac(algorithm, message));
    byte[] out = Arrays.copyOf(prefix, prefix.length + encoded.length);
    System.arraycopy(encoded, 0, out, prefix.length, encoded.length);
    // Every byte is ASCII, so this is the cheapest exact String construction.
    return new String(out, ISO_8859_1);
  }

  /** Whether {@code candidate} is this key's MAC of the message, compared in constant time. */
  boolean matches(HmacAlgorithm algorithm, byte[] message, byte[] candidate) {
    return MessageDigest.isEqual(mac(algorithm, message), candidate);
  }

  private Mac mac(HmacAlgorithm algorithm) {
    switch (algorithm) {
      case SHA384:
        return sha384.get();
      case SHA512:
        return sha512.get();
      case SHA256:
      default:
        return sha256.get();
    }
  }

  private Mac newMac(HmacAlgorithm algorithm) {
    SecretKeySpec spec;
    switch (algorithm) {
      case SHA384:
        spec = sha384Key;
        break;
      case SHA512:
        spec = sha512Key;
        break;
      case SHA256:
      default:
        spec = sha256Key;
        break;
    }
    try {
      Mac mac = Mac.getInstance(algorithm.jcaName());
      mac.init(spec);
      return mac;
    } catch (GeneralSecurityException e) {
      // Every Java SE runtime has HmacSHA256/384/512 and accepts any non-empty key; never the key
      // in the message.
      throw new IllegalStateException(
          "this Java runtime cannot compute "
              + algorithm.jcaName()
              + ": "
              + e.getClass().getName());
    }
  }

  /** Key id only; never key bytes. */
  @Override
  public String toString() {
    return "KeyVersion[id=" + id + "]";
  }
}
