package io.secretsdk;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One secret value: a name, its bytes and where it came from.
 *
 * <p>Instances are immutable and thread-safe. {@link #bytes()} returns a copy, so callers may
 * wipe what they receive. {@link #toString()} never contains the value, so a secret may be logged
 * or passed to string formatting without leaking it.
 */
public final class Secret {

  private final String name;
  private final byte[] value;
  private final String origin;
  // Decoded lazily; a benign race may decode twice, never wrongly.
  private volatile String string;
  private volatile boolean binary;

  Secret(String name, byte[] value, String origin) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /** The name applications look the secret up by, for example {@code db.password}. */
  public String name() {
    return name;
  }

  /** A copy of the value, byte for byte as the source delivered it (after optional trimming). */
  public byte[] bytes() {
    return value.clone();
  }

  /** The number of bytes in the value. */
  public int length() {
    return value.length;
  }

  /**
   * The value decoded as strict UTF-8.
   *
   * @throws SecretException naming the secret (never the value) when the bytes are not valid
   *     UTF-8; use {@link #bytes()} for binary secrets
   */
  public String asString() {
    String s = decode();
    if (s == null) {
      throw new SecretException(
          "secret '" + name + "' from " + origin + " is not valid UTF-8 text; read it with bytes() if it is binary");
    }
    return s;
  }

  /**
   * Whether the value is valid UTF-8, so that {@link #asString()} succeeds. The answer is
   * computed once; framework integrations use it to skip binary values without an exception.
   */
  public boolean isText() {
    return decode() != null;
  }

  private String decode() {
    String s = string;
    if (s != null || binary) {
      return s;
    }
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
    } catch (CharacterCodingException e) {
      binary = true;
      return null;
    }
    string = s;
    return s;
  }

  /**
   * Where the value came from: {@code file:<path as the application sees it>} for mounted
   * files, {@code env:<VARIABLE>} for environment variables.
   */
  public String origin() {
    return origin;
  }

  /** Compares the value with {@code candidate} in time that does not depend on where they differ. */
  public boolean valueEquals(byte[] candidate) {
    return MessageDigest.isEqual(value, candidate);
  }

  byte[] unsafeValue() {
    return value;
  }

  /** Equal when name, origin and value are equal; the value is compared in constant time. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && name.equals(other.name)
        && origin.equals(other.origin)
        && MessageDigest.isEqual(value, other.value);
  }

  /** Hashes name and origin only, so the hash says nothing about the value. */
  @Override
  public int hashCode() {
    return name.hashCode() * 31 + origin.hashCode();
  }

  /** Name and origin, never the value: {@code Secret[name=db.password, origin=file:/..., value=****]}. */
  @Override
  public String toString() {
    return "Secret[name=" + name + ", origin=" + origin + ", value=****]";
  }
}
