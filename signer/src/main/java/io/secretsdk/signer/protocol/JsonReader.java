package io.secretsdk.signer.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A strict pull reader for one UTF-8 JSON document (RFC 8259), just big enough for the signer
 * protocol: objects, arrays, strings with every escape, and numbers, {@code true}, {@code false}
 * and {@code null} to skip. Nesting is limited; errors say where, never what was there. Not
 * thread-safe.
 *
 * <p>Its length is RFC 8259's grammar, written out so that the client library stays free of
 * dependencies (the application class path gets no JSON library from the signer).
 */
final class JsonReader {

  /** A malformed document; the message names a position only, never an excerpt of the input. */
  static final class MalformedJson extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJson(String message) {
      super(message, null, false, false);
    }
  }

  static final int MAX_DEPTH = 64;

  private final byte[] buf;
  private final int start;
  private final int end;
  private int pos;
  private int depth;

  /** Per nesting level: whether the next member or element is the first one. */
  private final boolean[] first = new boolean[MAX_DEPTH + 1];

  private final StringBuilder text = new StringBuilder(64);

  JsonReader(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
  }

  /** The next value's kind without consuming it: one of {@code { [ " t f n 0} (0 for numbers). */
  char peek() throws MalformedJson {
    skipWhitespace();
    if (pos >= end) {
      throw error("unexpected end of input");
    }
    byte b = buf[pos];
    switch (b) {
      case '{':
      case '[':
      case '"':
      case 't':
      case 'f':
      case 'n':
        return (char) b;
      default:
        if (b == '-' || (b >= '0' && b <= '9')) {
          return '0';
        }
        throw error("unexpected character");
    }
  }

  void beginObject() throws MalformedJson {
    expect('{');
    push();
  }

  void beginArray() throws MalformedJson {
    expect('[');
    push();
  }

  /** The next member's name (read up to and including its colon), or null at the object's end. */
  String nextName() throws MalformedJson {
    skipWhitespace();
    if (pos < end && buf[pos] == '}') {
      pos++;
      pop();
      return null;
    }
    if (!first[depth]) {
      expect(',');
      skipWhitespace();
    }
    first[depth] = false;
    if (pos >= end || buf[pos] != '"') {
      throw error("expected a member name");
    }
    String name = readString();
    skipWhitespace();
    expect(':');
    return name;
  }

  /** Whether the current array has another element (then read or skip it). */
  boolean hasNextElement() throws MalformedJson {
    skipWhitespace();
    if (pos < end && buf[pos] == ']') {
      pos++;
      pop();
      return false;
    }
    if (!first[depth]) {
      expect(',');
    }
    first[depth] = false;
    return true;
  }

  String readString() throws MalformedJson {
    skipWhitespace();
    expect('"');
    // Fast path: ASCII without escapes, the shape of every base64 value and signature.
    int i = pos;
    while (i < end) {
      byte b = buf[i];
      if (b == '"') {
        String s = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1);
        pos = i + 1;
        return s;
      }
      if (b == '\\' || b < 0x20) {
        break;
      }
      i++;
    }
    return readStringSlow();
  }

  private String readStringSlow() throws MalformedJson {
    text.setLength(0);
    while (true) {
      if (pos >= end) {
        throw error("unterminated string");
      }
      int b = buf[pos++] & 0xff;
      if (b == '"') {
        return text.toString();
      }
      if (b < 0x20) {
        throw error("control character in a string");
      }
      if (b == '\\') {
        if (pos >= end) {
          throw error("unterminated string");
        }
        byte e = buf[pos++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            text.append((char) e);
            break;
          case 'b':
            text.append('\b');
            break;
          case 'f':
            text.append('\f');
            break;
          case 'n':
            text.append('\n');
            break;
          case 'r':
            text.append('\r');
            break;
          case 't':
            text.append('\t');
            break;
          case 'u':
            text.append(hex4());
            break;
          default:
            throw error("invalid escape");
        }
      } else if (b < 0x80) {
        text.append((char) b);
      } else {
        decodeUtf8(b);
      }
    }
  }

  private char hex4() throws MalformedJson {
    if (pos + 4 > end) {
      throw error("invalid \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(buf[pos++], 16);
      if (d < 0) {
        throw error("invalid \\u escape");
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  /** Appends the code point that starts with lead byte {@code b}; rejects malformed UTF-8. */
  private void decodeUtf8(int b) throws MalformedJson {
    int need;
    int cp;
    int min;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      throw error("invalid UTF-8");
    }
    if (pos + need > end) {
      throw error("invalid UTF-8");
    }
    for (int i = 0; i < need; i++) {
      int c = buf[pos++] & 0xff;
      if ((c & 0xc0) != 0x80) {
        throw error("invalid UTF-8");
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw error("invalid UTF-8");
    }
    text.appendCodePoint(cp);
  }

  boolean readBoolean() throws MalformedJson {
    char k = peek();
    if (k == 't') {
      literal("true");
      return true;
    }
    if (k == 'f') {
      literal("false");
      return false;
    }
    throw error("expected true or false");
  }

  /** Skips one value of any kind, however nested (within the depth limit). */
  void skipValue() throws MalformedJson {
    switch (peek()) {
      case '{':
        beginObject();
        while (nextName() != null) {
          skipValue();
        }
        break;
      case '[':
        beginArray();
        while (hasNextElement()) {
          skipValue();
        }
        break;
      case '"':
        readString();
        break;
      case 't':
        literal("true");
        break;
      case 'f':
        literal("false");
        break;
      case 'n':
        literal("null");
        break;
      default:
        number();
        break;
    }
  }

  /** Requires that nothing but whitespace follows the document. */
  void endDocument() throws MalformedJson {
    skipWhitespace();
    if (pos != end) {
      throw error("more than one JSON value");
    }
  }

  /** " at line L, column C" of the current position (columns count bytes, from 1). */
  String position() {
    int line = 1;
    int column = 1;
    for (int i = start; i < Math.min(pos, end); i++) {
      if (buf[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return " at line " + line + ", column " + column;
  }

  MalformedJson error(String what) {
    return new MalformedJson(what + position());
  }

  private void number() throws MalformedJson {
    int s = pos;
    if (pos < end && buf[pos] == '-') {
      pos++;
    }
    if (pos < end && buf[pos] == '0') {
      pos++;
    } else if (!digits()) {
      throw error("invalid number");
    }
    if (pos < end && buf[pos] == '.') {
      pos++;
      if (!digits()) {
        throw error("invalid number");
      }
    }
    if (pos < end && (buf[pos] == 'e' || buf[pos] == 'E')) {
      pos++;
      if (pos < end && (buf[pos] == '+' || buf[pos] == '-')) {
        pos++;
      }
      if (!digits()) {
        throw error("invalid number");
      }
    }
    if (pos == s) {
      throw error("invalid number");
    }
  }

  private boolean digits() {
    int s = pos;
    while (pos < end && buf[pos] >= '0' && buf[pos] <= '9') {
      pos++;
    }
    return pos > s;
  }

  private void literal(String word) throws MalformedJson {
    if (pos + word.length() > end) {
      throw error("unexpected end of input");
    }
    for (int i = 0; i < word.length(); i++) {
      if (buf[pos + i] != word.charAt(i)) {
        throw error("unexpected character");
      }
    }
    pos += word.length();
  }

  private void push() throws MalformedJson {
    if (depth == MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    depth++;
    first[depth] = true;
  }

  private void pop() {
    depth--;
  }

  private void expect(char c) throws MalformedJson {
    skipWhitespace();
    if (pos >= end) {
      throw error("unexpected end of input");
    }
    if (buf[pos] != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = buf[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }
}
