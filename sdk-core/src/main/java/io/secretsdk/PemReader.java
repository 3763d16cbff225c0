package io.secretsdk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Splits PEM text (RFC 7468) into its blocks: {@code -----BEGIN <label>-----}, base64, {@code
 * -----END <label>-----}. Text between blocks is ignored, as OpenSSL ignores it (its {@code Bag
 * Attributes} and {@code subject=} lines). A block without its END line, base64 that does not
 * decode, or a file with no block at all is refused with a message that names the file and never
 * quotes its content. Stateless and thread-safe.
 */
final class PemReader {

  /** One block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and its DER bytes. */
  record Block(String label, byte[] der, boolean encryptedHeader) {

    /** The label and size only: the bytes may be a private key. */
    @Override
    public String toString() {
      return "PemBlock[" + label + ", " + der.length + " bytes]";
    }
  }

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private PemReader() {}

  /**
   * The blocks of {@code pem}, in order.
   *
   * @param file how messages name the file, for example {@code tls.key (file:/etc/tls/tls.key)}
   * @throws SecretException naming the file and the problem
   */
  static List<Block> read(byte[] pem, String file) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n|\r", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      i++;
      if (!line.startsWith(BEGIN)) {
        continue;
      }
      if (!line.endsWith(DASHES) || line.length() <= BEGIN.length() + DASHES.length()) {
        throw new SecretException(
            file
                + ": a PEM BEGIN line is malformed (line "
                + i
                + "); expected -----BEGIN <label>-----");
      }
      String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
      int beginLine = i;
      StringBuilder base64 = new StringBuilder();
      boolean encrypted = false;
      boolean ended = false;
      boolean inHeaders = true;
      while (i < lines.length) {
        String body = lines[i].strip();
        i++;
        if (body.startsWith(END)) {
          if (!body.equals(END + label + DASHES)) {
            throw new SecretException(
                file
                    + ": the PEM block '"
                    + label
                    + "' opened on line "
                    + beginLine
                    + " ends with a different END line (line "
                    + i
                    + ")");
          }
          ended = true;
          break;
        }
        if (body.startsWith(BEGIN)) {
          break;
        }
        // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") come before the base64.
        if (inHeaders && body.indexOf(':') > 0) {
          if (body.startsWith("Proc-Type:") && body.contains("ENCRYPTED")) {
            encrypted = true;
          }
          continue;
        }
        inHeaders = false;
        base64.append(body);
      }
      if (!ended) {
        throw new SecretException(
            file
                + ": the PEM block '"
                + label
                + "' opened on line "
                + beginLine
                + " has no END line; the file is truncated or damaged");
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new SecretException(
            file
                + ": the PEM block '"
                + label
                + "' opened on line "
                + beginLine
                + " is not valid base64; the file is damaged");
      }
      if (der.length == 0) {
        throw new SecretException(
            file + ": the PEM block '" + label + "' opened on line " + beginLine + " is empty");
      }
      blocks.add(new Block(label, der, encrypted));
    }
    if (blocks.isEmpty()) {
      throw new SecretException(
          file + ": no PEM block found (expected -----BEGIN ...----- lines); the file is not PEM");
    }
    return blocks;
  }
}
