package io.secretsdk;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few DER rules the key decoders need: split a structure into its elements and write a
 * SEQUENCE, INTEGER or OCTET STRING. Not a general ASN.1 library: it reads definite lengths only,
 * which is all DER allows. Stateless and thread-safe.
 */
final class Der {

  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;
  static final int CONTEXT_0 = 0xA0;

  /** One element: its tag, and where its content lies in the array it was read from. */
  record Element(int tag, byte[] source, int start, int end, int contentStart) {

    byte[] content() {
      return Arrays.copyOfRange(source, contentStart, end);
    }

    /** Tag, length and content: the element as it was encoded. */
    byte[] encoded() {
      return Arrays.copyOfRange(source, start, end);
    }

    /** The elements inside a constructed element (SEQUENCE, context tag). */
    List<Element> children() throws MalformedException {
      return Der.elements(source, contentStart, end);
    }
  }

  /** The bytes are not the DER this decoder expects. The message never quotes them. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  private Der() {}

  /** The single top-level element of {@code der}, which must span the whole array. */
  static Element single(byte[] der) throws MalformedException {
    List<Element> all = elements(der, 0, der.length);
    if (all.size() != 1) {
      throw new MalformedException("expected one DER structure, found " + all.size());
    }
    return all.get(0);
  }

  static List<Element> elements(byte[] der, int from, int to) throws MalformedException {
    List<Element> result = new ArrayList<>();
    int pos = from;
    while (pos < to) {
      int start = pos;
      int tag = der[pos++] & 0xFF;
      if ((tag & 0x1F) == 0x1F) {
        throw new MalformedException("multi-byte DER tags are not used in keys");
      }
      if (pos >= to) {
        throw new MalformedException("DER element ends before its length");
      }
      int first = der[pos++] & 0xFF;
      long length;
      if (first < 0x80) {
        length = first;
      } else {
        int count = first & 0x7F;
        if (count == 0 || count > 4) {
          throw new MalformedException("DER length uses " + count + " bytes");
        }
        if (pos + count > to) {
          throw new MalformedException("DER element ends inside its length");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (der[pos++] & 0xFF);
        }
      }
      if (length > to - pos) {
        throw new MalformedException("DER element is longer than the data (truncated?)");
      }
      int end = pos + (int) length;
      result.add(new Element(tag, der, start, end, pos));
      pos = end;
    }
    return result;
  }

  static byte[] sequence(byte[]... parts) {
    return tlv(SEQUENCE, parts);
  }

  static byte[] octetString(byte[] content) {
    return tlv(OCTET_STRING, content);
  }

  static byte[] integer(int small) {
    if (small < 0 || small > 127) {
      throw new IllegalArgumentException("small non-negative integers only: " + small);
    }
    return new byte[] {INTEGER, 1, (byte) small};
  }

  static byte[] tlv(int tag, byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else if (length <= 0xFF) {
      out.write(0x81);
      out.write(length);
    } else if (length <= 0xFFFF) {
      out.write(0x82);
      out.write(length >>> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >>> 16);
      out.write(length >>> 8);
      out.write(length);
    }
    for (byte[] part : parts) {
      out.write(part, 0, part.length);
    }
    return out.toByteArray();
  }
}
