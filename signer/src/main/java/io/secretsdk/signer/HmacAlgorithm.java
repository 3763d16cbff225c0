package io.secretsdk.signer;

import io.secretsdk.signer.protocol.SignerProtocol;
import java.util.Locale;

/**
 * The HMAC hash functions a {@link Signer} can use. {@link #SHA256} is the default everywhere; a
 * signature's MAC length tells which one made it, so {@link Signer#verify} needs no algorithm.
 */
public enum HmacAlgorithm {
  /** HMAC-SHA256: 32-byte MAC, 43 base64url characters. The default. */
  SHA256("HmacSHA256", "sha2-256", 32),
  /** HMAC-SHA384: 48-byte MAC, 64 base64url characters. */
  SHA384("HmacSHA384", "sha2-384", 48),
  /** HMAC-SHA512: 64-byte MAC, 86 base64url characters. */
  SHA512("HmacSHA512", "sha2-512", 64);

  private static final HmacAlgorithm[] VALUES = values();

  private final String jcaName;
  private final String wireName;
  private final int macLength;

  HmacAlgorithm(String jcaName, String wireName, int macLength) {
    this.jcaName = jcaName;
    this.wireName = wireName;
    this.macLength = macLength;
  }

  /** The {@code javax.crypto.Mac} algorithm name, for example {@code HmacSHA256}. */
  public String jcaName() {
    return jcaName;
  }

  /**
   * The name used in the sidecar protocol, as Vault's transit engine spells it: {@code sha2-256}.
   */
  public String wireName() {
    return wireName;
  }

  /** The MAC length in bytes. */
  public int macLength() {
    return macLength;
  }

  /**
   * Parses a protocol name ({@code sha2-256}, {@code sha2-384}, {@code sha2-512}), also accepting
   * {@code SHA256}, {@code sha-256} and {@code HmacSHA256} spellings.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static HmacAlgorithm parse(String name) {
    if (name != null) {
      String n =
          name.toLowerCase(Locale.ROOT).replace("hmac", "").replace("-", "").replace("_", "");
      switch (n) {
        case "sha2256":
        case "sha256":
          return SHA256;
        case "sha2384":
        case "sha384":
          return SHA384;
        case "sha2512":
        case "sha512":
          return SHA512;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "unknown HMAC algorithm '" + abbreviate(name) + "'; use sha2-256, sha2-384 or sha2-512");
  }

  /** The algorithm whose MAC has this many bytes, or {@code null}. */
  static HmacAlgorithm forMacLength(int length) {
    for (HmacAlgorithm a : VALUES) {
      if (a.macLength == length) {
        return a;
      }
    }
    return null;
  }

  static String abbreviate(String s) {
    return SignerProtocol.printable(s, 64);
  }
}
