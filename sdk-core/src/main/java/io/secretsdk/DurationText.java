package io.secretsdk;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * The one duration grammar of secretsdk, used by every integration for settings such as {@code
 * secretsdk.poll-interval} and by the sidecar's command line, so a value written once works
 * everywhere.
 *
 * <p>Accepted forms (surrounding white space is ignored):
 *
 * <ul>
 *   <li>ISO-8601, as {@link Duration#parse(CharSequence)} reads it: {@code PT5S}, {@code PT0.5S},
 *       {@code P7D}, {@code PT1H30M} (case-insensitive, optional sign);
 *   <li>a whole number followed by a unit, as Spring Boot binds a {@code Duration}: {@code 500ns},
 *       {@code 500us}, {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 7d} (unit
 *       case-insensitive, optional sign);
 *   <li>a bare whole number, which means <b>milliseconds</b> ({@code 5000} is five seconds), the
 *       same default unit as Spring Boot's {@code Duration} binding.
 * </ul>
 *
 * <p>The parser checks the grammar only; whether zero or a negative duration makes sense is the
 * setting's decision. Stateless and thread-safe.
 */
public final class DurationText {

  private DurationText() {}

  /**
   * Parses a duration written in one of the forms described in the class documentation.
   *
   * @param text the text, for example {@code 5s}, {@code PT5S} or {@code 5000}
   * @return the duration
   * @throws IllegalArgumentException naming the text and the accepted forms when it is none of them
   * @throws NullPointerException when {@code text} is {@code null}
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (t.isEmpty()) {
      throw invalid(text);
    }
    int start = t.charAt(0) == '-' || t.charAt(0) == '+' ? 1 : 0;
    if (start < t.length() && (t.charAt(start) == 'P' || t.charAt(start) == 'p')) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    int end = start;
    while (end < t.length() && t.charAt(end) >= '0' && t.charAt(end) <= '9') {
      end++;
    }
    if (end == start) {
      throw invalid(text);
    }
    long amount;
    try {
      amount = Long.parseLong(t.substring(0, end));
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
    String unit = t.substring(end).toLowerCase(Locale.ROOT);
    try {
      switch (unit) {
        case "":
        case "ms":
          return Duration.ofMillis(amount);
        case "ns":
          return Duration.ofNanos(amount);
        case "us":
          return Duration.ofNanos(Math.multiplyExact(amount, 1_000L));
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
          return Duration.ofDays(amount);
        default:
          throw invalid(text);
      }
    } catch (ArithmeticException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not a duration: write ISO-8601 (PT5S, P7D) or a whole number with a unit"
            + " (500ms, 5s, 1m, 2h, 7d); a bare number means milliseconds");
  }
}
