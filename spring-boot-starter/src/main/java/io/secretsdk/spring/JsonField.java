package io.secretsdk.spring;

/**
 * One property expanded from a JSON document: its value as text and where in the document it starts
 * (1-based line and column, or {@code 0} when the parser does not say).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never contains the value.
 */
final class JsonField {

  private final String value;
  private final int line;
  private final int column;

  JsonField(String value, int line, int column) {
    this.value = value;
    this.line = line;
    this.column = column;
  }

  String value() {
    return value;
  }

  int line() {
    return line;
  }

  int column() {
    return column;
  }

  @Override
  public String toString() {
    return "JsonField[line=" + line + ", column=" + column + ", value=****]";
  }
}
