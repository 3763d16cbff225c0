package io.secretsdk;

/**
 * Escapes control characters in text that names files, keys or sources before it is printed (log
 * records, exception messages, health), so a file called {@code "a\nWARNING forged"} cannot forge a
 * log line or a terminal escape sequence. Thread-safe (stateless).
 */
final class ControlCharacters {

  private ControlCharacters() {}

  /**
   * {@code text} with C0/C1 control characters, DEL and the Unicode line/paragraph separators
   * written as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX}; a backslash stays as
   * it is.
   */
  static String escape(String text) {
    if (text == null) {
      return null;
    }
    int i = 0;
    int n = text.length();
    while (i < n && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == n) {
      return text;
    }
    StringBuilder sb = new StringBuilder(n + 16).append(text, 0, i);
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (!needsEscape(c)) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  static boolean needsEscape(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
