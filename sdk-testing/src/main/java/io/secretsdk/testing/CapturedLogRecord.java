package io.secretsdk.testing;

import java.util.Objects;

/**
 * One log record (or one chunk of console output) captured during a test, as text.
 *
 * @param source where it was captured: {@code "jul"} for {@code java.util.logging} and {@code
 *     System.Logger}, or the name a {@link LogSource} gives
 * @param level the level's name ({@code SEVERE}, {@code WARNING}, {@code INFO}, ...), or {@code ""}
 *     when the source has none
 * @param logger the logger's name, or {@code ""}
 * @param message the message as it would be printed, parameters substituted
 * @param detail everything else that could hold a value: the raw message, each parameter's {@code
 *     toString()}, and the thrown exception's full stack trace; {@code ""} when none
 */
public record CapturedLogRecord(
    String source, String level, String logger, String message, String detail) {

  /** Checks that no component is null. */
  public CapturedLogRecord {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(logger, "logger");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(detail, "detail");
  }

  /** The record as one block of text: level, logger, message, then the detail. */
  public String text() {
    StringBuilder text = new StringBuilder();
    if (!level.isEmpty()) {
      text.append(level).append(' ');
    }
    if (!logger.isEmpty()) {
      text.append(logger).append(": ");
    }
    text.append(message);
    if (!detail.isEmpty()) {
      text.append('\n').append(detail);
    }
    return text.toString();
  }
}
