package io.secretsdk.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Fresh canary values for one test (or one test class), and the check that none of them appears in
 * some text. A canary is a value a test plants where a secret would be ({@code canary-<label>-<32
 * hex digits>}, or random bytes); if it ever shows up in a log record, an exception or a {@code
 * toString()}, the code under test leaked a secret.
 *
 * <p>A value counts as leaked in any of the forms a careless encoder would print it: verbatim,
 * Base64, Base64url without padding, lower- and upper-case hex, and (for string canaries) either
 * half of its random part (16 hex digits), which catches truncation. Obtain an instance as a test
 * or lifecycle method parameter under {@link SecretLeakExtension}. Thread-safe.
 */
public final class Canaries {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern LABEL = Pattern.compile("[a-z0-9-]{1,32}");

  private final Canaries parent;
  private final List<Canary> issued = new CopyOnWriteArrayList<>();

  Canaries(Canaries parent) {
    this.parent = parent;
  }

  /** A fresh canary string, {@code canary-<32 hex digits>}. */
  public String next() {
    return next("x");
  }

  /**
   * A fresh canary string carrying a label, {@code canary-<label>-<32 hex digits>}.
   *
   * @param label what the canary stands for, {@code [a-z0-9-]}, at most 32 characters (for example
   *     {@code password})
   * @return the canary; never the same twice
   */
  public String next(String label) {
    Objects.requireNonNull(label, "label");
    if (!LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException("label must match [a-z0-9-]{1,32}: " + label);
    }
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    String randomPart = HexFormat.of().formatHex(random);
    String value = "canary-" + label + "-" + randomPart;
    issued.add(
        new Canary(issued.size() + 1, label, value.getBytes(StandardCharsets.UTF_8), randomPart));
    return value;
  }

  /** The UTF-8 bytes of a fresh canary string (see {@link #next(String)}). */
  public byte[] nextBytes(String label) {
    return next(label).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Fresh random (binary) canary bytes, for keys and other values that are not text. They leak when
   * their hex or Base64 forms appear.
   *
   * @param length how many bytes, at least 16
   * @return the bytes; the caller may keep and change the array
   */
  public byte[] nextRandomBytes(int length) {
    if (length < 16) {
      throw new IllegalArgumentException(
          "a binary canary needs at least 16 bytes to be distinctive: " + length);
    }
    byte[] value = new byte[length];
    RANDOM.nextBytes(value);
    issued.add(new Canary(issued.size() + 1, "bytes", value.clone(), null));
    return value;
  }

  /** Every canary this instance issued so far, in order, as strings (binary ones as hex). */
  public List<String> issued() {
    List<String> all = new ArrayList<>();
    for (Canary canary : issued) {
      all.add(canary.binary() ? HexFormat.of().formatHex(canary.value) : canary.text());
    }
    return List.copyOf(all);
  }

  /**
   * Fails with an {@link AssertionError} when any canary issued here (or by the test class's
   * instance, for a test method's) appears in {@code text}, in any of its leak forms. The error
   * message quotes the text with every canary replaced by {@code <canary #n label>}.
   *
   * @param where what the text is, for the message (for example {@code "the health payload"})
   * @param text the text to search; {@code null} is treated as empty
   */
  public void assertNotIn(String where, CharSequence text) {
    if (text == null) {
      return;
    }
    String s = text.toString();
    Canary found = firstLeak(s);
    if (found != null) {
      throw new AssertionError(
          "canary #"
              + found.index
              + " ("
              + found.label
              + ") leaked into "
              + where
              + ": "
              + mask(s));
    }
  }

  /**
   * Fails when a canary appears in {@code String.valueOf(value)} or, for a {@link Throwable}, in
   * its messages or stack trace (causes and suppressed exceptions included).
   *
   * @param values the objects to check, typically what the code under test returned or threw
   */
  public void assertNoLeak(Object... values) {
    for (Object value : values) {
      if (value instanceof Throwable thrown) {
        assertNotIn("an exception (" + thrown.getClass().getName() + ")", stackTrace(thrown));
      } else {
        assertNotIn(
            "the toString() of " + (value == null ? "null" : value.getClass().getName()),
            String.valueOf(value));
      }
    }
  }

  /** {@code text} with every canary form replaced by {@code <canary #n label>}; safe to print. */
  public String mask(String text) {
    String masked = text;
    for (Canaries c = this; c != null; c = c.parent) {
      for (Canary canary : c.issued) {
        for (String form : canary.forms()) {
          masked = masked.replace(form, "<canary #" + canary.index + " " + canary.label + ">");
        }
      }
    }
    return masked;
  }

  Canary firstLeak(String text) {
    for (Canaries c = this; c != null; c = c.parent) {
      for (Canary canary : c.issued) {
        for (String form : canary.forms()) {
          if (text.contains(form)) {
            return canary;
          }
        }
      }
    }
    return null;
  }

  static String stackTrace(Throwable thrown) {
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** One issued canary and the forms in which it counts as leaked. */
  static final class Canary {
    final int index;
    final String label;
    private final byte[] value;
    private final boolean binary;
    private final List<String> forms;

    Canary(int index, String label, byte[] value, String randomPart) {
      this.index = index;
      this.label = label;
      this.value = value;
      this.binary = randomPart == null;
      List<String> f = new ArrayList<>();
      if (randomPart != null) {
        f.add(new String(value, StandardCharsets.UTF_8));
        // Halves of the random part catch a value cut short at either end.
        f.add(randomPart.substring(0, 16));
        f.add(randomPart.substring(16));
      }
      f.add(Base64.getEncoder().encodeToString(value));
      f.add(Base64.getUrlEncoder().withoutPadding().encodeToString(value));
      f.add(HexFormat.of().formatHex(value));
      f.add(HexFormat.of().withUpperCase().formatHex(value));
      this.forms = List.copyOf(f);
    }

    boolean binary() {
      return binary;
    }

    String text() {
      return new String(value, StandardCharsets.UTF_8);
    }

    List<String> forms() {
      return forms;
    }
  }
}
