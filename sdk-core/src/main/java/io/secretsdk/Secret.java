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
 * <p>Instances are immutable and thread-safe. {@link #bytes()} returns a copy, so callers may wipe
 * what they receive. {@link #toString()} never contains the value, so a secret may be logged or
 * passed to string formatting without leaking it.
 */
public final class Secret {

  // Marks a value found not to be UTF-8, in the field that caches the decoded string.
  private static final String NOT_TEXT = new String("not text");

  private final String name;
  private final byte[] value;
  // Either a SecretOrigin, or an OriginDirectory shared by every file of one directory; with the
  // latter, relative is the file's path under it, or null when that is the tail of the name. An
  // origin string per secret cost more heap than a typical value.
  private final Object origin;
  private final String relative;
  // Decoded lazily; a benign race may decode twice, never wrongly.
  private volatile String string;

  Secret(String name, byte[] value, SecretOrigin origin) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
    this.origin = Objects.requireNonNull(origin, "origin");
    this.relative = null;
  }

  /** A secret read from a file at {@code relative} under {@code directory}. */
  Secret(String name, byte[] value, OriginDirectory directory, String relative) {
    this.name = Objects.requireNonNull(name, "name");
    this.value = Objects.requireNonNull(value, "value");
    this.origin = Objects.requireNonNull(directory, "directory");
    this.relative = directory.compact(name, relative);
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
   * @throws SecretException naming the secret (never the value) when the bytes are not valid UTF-8;
   *     use {@link #bytes()} for binary secrets
   */
  public String asString() {
    String s = decode();
    if (s == null) {
      throw new SecretException(
          "secret '"
              + name
              + "' from "
              + origin()
              + " is not valid UTF-8 text; read it with bytes() if it is binary");
    }
    return s;
  }

  /**
   * Whether the value is valid UTF-8, so that {@link #asString()} succeeds. The answer is computed
   * once; framework integrations use it to skip binary values without an exception.
   */
  public boolean isText() {
    return decode() != null;
  }

  private String decode() {
    String s = string;
    if (s == NOT_TEXT) {
      return null;
    }
    if (s != null) {
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
      string = NOT_TEXT;
      return null;
    }
    string = s;
    return s;
  }

  /**
   * Where the value came from: a {@link SecretOrigin.File} (the path as the application sees it)
   * for mounted files and {@code NAME_FILE} variables, a {@link SecretOrigin.Environment} for
   * environment variables. Its {@code toString()} is {@code file:<path>} or {@code env:<VARIABLE>}.
   */
  public SecretOrigin origin() {
    return origin instanceof OriginDirectory directory
        ? directory.originOf(name, relative)
        : (SecretOrigin) origin;
  }

  private boolean sameOrigin(Secret other) {
    if (origin instanceof OriginDirectory mine
        && other.origin instanceof OriginDirectory theirs
        && mine.sameAs(theirs)) {
      return Objects.equals(relative, other.relative);
    }
    return origin().equals(other.origin());
  }

  /**
   * Compares the value with {@code candidate} in time that does not depend on where they differ.
   */
  public boolean valueEquals(byte[] candidate) {
    return MessageDigest.isEqual(value, candidate);
  }

  /** Equal when name, origin and value are equal; the value is compared in constant time. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && name.equals(other.name)
        && MessageDigest.isEqual(value, other.value)
        && sameOrigin(other);
  }

  /** Hashes the name only, so the hash says nothing about the value. */
  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /**
   * Name and origin, never the value: {@code Secret[name=db.password, origin=file:/...,
   * value=****]}.
   */
  @Override
  public String toString() {
    return ControlCharacters.escape(
        "Secret[name=" + name + ", origin=" + origin() + ", value=****]");
  }
}
