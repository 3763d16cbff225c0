package io.secretsdk.signer.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes compact UTF-8 JSON into a growing byte array. The caller writes the structure (commas
 * included) with {@link #raw}; strings are escaped here. Not thread-safe.
 */
final class JsonWriter {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private byte[] buf;
  private int size;

  JsonWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  /** Appends ASCII text as is (structure, field names, literals). */
  JsonWriter raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  /** Appends a quoted, escaped string. */
  JsonWriter string(String s) {
    int n = s.length();
    ensure(n + 2);
    buf[size++] = '"';
    // Fast path: printable ASCII needing no escape (signatures, key ids, most messages).
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        break;
      }
      buf[size++] = (byte) c;
      i++;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        ensure(1);
        buf[size++] = (byte) c;
      } else if (c == '"' || c == '\\') {
        ensure(2);
        buf[size++] = '\\';
        buf[size++] = (byte) c;
      } else if (c < 0x20 || c == 0x7f) {
        ensure(6);
        buf[size++] = '\\';
        buf[size++] = 'u';
        buf[size++] = '0';
        buf[size++] = '0';
        buf[size++] = HEX[c >> 4];
        buf[size++] = HEX[c & 15];
      } else {
        // Non-ASCII: UTF-8, with an unpaired surrogate replaced as String.getBytes does.
        int end = i + 1;
        if (Character.isHighSurrogate(c) && end < n && Character.isLowSurrogate(s.charAt(end))) {
          end++;
        }
        byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, buf, size, utf8.length);
        size += utf8.length;
        i = end - 1;
      }
    }
    ensure(1);
    buf[size++] = '"';
    return this;
  }

  /** Appends the standard base64 of {@code bytes}, quoted (base64 needs no escaping). */
  JsonWriter base64(byte[] bytes) {
    byte[] encoded = BASE64.encode(bytes);
    ensure(encoded.length + 2);
    buf[size++] = '"';
    System.arraycopy(encoded, 0, buf, size, encoded.length);
    size += encoded.length;
    buf[size++] = '"';
    return this;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  int size() {
    return size;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
