package io.secretsdk;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the private-key block of a PEM file into a {@link PrivateKey} with the JDK alone: PKCS#8
 * ({@code PRIVATE KEY}) for RSA, RSASSA-PSS, EC, Ed25519 and Ed448; PKCS#1 ({@code RSA PRIVATE
 * KEY}, cert-manager's RSA default) and SEC1 ({@code EC PRIVATE KEY}) are wrapped into PKCS#8 DER
 * first, which is what the JDK's key factories read. Encrypted keys are refused with a message that
 * says so. Messages name the file and the encoding, never key bytes, and the JDK's own exceptions
 * are not chained (their text is not ours to vouch for). Stateless and thread-safe.
 */
final class PrivateKeyDecoder {

  static final String PKCS8 = "PRIVATE KEY";
  static final String PKCS1_RSA = "RSA PRIVATE KEY";
  static final String SEC1_EC = "EC PRIVATE KEY";
  static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";

  // Encoded OBJECT IDENTIFIERs (tag, length, value) of the key algorithms.
  private static final byte[] RSA_ENCRYPTION = {
    0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01
  };
  private static final byte[] RSASSA_PSS = {
    0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x0A
  };
  private static final byte[] EC_PUBLIC_KEY = {
    0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01
  };
  private static final byte[] ED25519 = {0x06, 0x03, 0x2B, 0x65, 0x70};
  private static final byte[] ED448 = {0x06, 0x03, 0x2B, 0x65, 0x71};
  private static final byte[] DER_NULL = {Der.NULL, 0x00};

  private PrivateKeyDecoder() {}

  /** Whether a PEM label is one of the private-key labels this decoder knows or refuses. */
  static boolean isPrivateKeyLabel(String label) {
    return label.equals(PKCS8)
        || label.equals(PKCS1_RSA)
        || label.equals(SEC1_EC)
        || label.equals(ENCRYPTED_PKCS8)
        || label.endsWith(" PRIVATE KEY");
  }

  /**
   * The private key in the one private-key block of {@code blocks}.
   *
   * @throws SecretException naming the file: no key, several keys, encrypted, unsupported or
   *     malformed
   */
  static PrivateKey decode(List<PemReader.Block> blocks, String file) {
    PemReader.Block key = null;
    for (PemReader.Block block : blocks) {
      if (isPrivateKeyLabel(block.label())) {
        if (key != null) {
          throw new SecretException(file + ": holds more than one private key; keep exactly one");
        }
        key = block;
      }
    }
    if (key == null) {
      throw new SecretException(
          file
              + ": no private key block (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY) found");
    }
    return decode(key, file);
  }

  static PrivateKey decode(PemReader.Block block, String file) {
    if (block.label().equals(ENCRYPTED_PKCS8) || block.encryptedHeader()) {
      throw new SecretException(
          file
              + ": the private key is encrypted ("
              + block.label()
              + "), which is not supported; "
              + "store it unencrypted in the Secret, as cert-manager does, and protect the Secret instead");
    }
    byte[] pkcs8;
    try {
      switch (block.label()) {
        case PKCS8:
          pkcs8 = block.der();
          break;
        case PKCS1_RSA:
          checkSequence(block.der());
          pkcs8 =
              Der.sequence(
                  Der.integer(0),
                  Der.sequence(RSA_ENCRYPTION, DER_NULL),
                  Der.octetString(block.der()));
          break;
        case SEC1_EC:
          pkcs8 = wrapSec1(block.der());
          break;
        default:
          throw new SecretException(
              file
                  + ": private keys of type '"
                  + block.label()
                  + "' are not supported; use PKCS#8 (BEGIN PRIVATE KEY), "
                  + "PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY)");
      }
    } catch (Der.MalformedException e) {
      throw new SecretException(
          file
              + ": the "
              + block.label()
              + " block is not valid DER ("
              + e.getMessage()
              + "); the file is damaged");
    }
    String algorithm;
    try {
      algorithm = algorithmOf(pkcs8);
    } catch (Der.MalformedException e) {
      throw new SecretException(
          file
              + ": the "
              + block.label()
              + " block is not a valid PKCS#8 key ("
              + e.getMessage()
              + ")");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new SecretException(
          file
              + ": the "
              + block.label()
              + " block is not a valid "
              + algorithm
              + " private key ("
              + e.getClass().getSimpleName()
              + ")");
    } finally {
      if (pkcs8 != block.der()) {
        Arrays.fill(pkcs8, (byte) 0);
      }
    }
  }

  private static void checkSequence(byte[] der) throws Der.MalformedException {
    if (Der.single(der).tag() != Der.SEQUENCE) {
      throw new Der.MalformedException("the key is not a DER SEQUENCE");
    }
  }

  /**
   * SEC1 {@code ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1]
   * publicKey }} becomes PKCS#8 with {@code id-ecPublicKey} and the named curve taken from {@code
   * [0]}.
   */
  private static byte[] wrapSec1(byte[] sec1) throws Der.MalformedException {
    Der.Element root = Der.single(sec1);
    if (root.tag() != Der.SEQUENCE) {
      throw new Der.MalformedException("the key is not a DER SEQUENCE");
    }
    byte[] curve = null;
    for (Der.Element child : root.children()) {
      if (child.tag() == Der.CONTEXT_0) {
        List<Der.Element> parameters = child.children();
        if (parameters.size() == 1 && parameters.get(0).tag() == Der.OID) {
          curve = parameters.get(0).encoded();
        }
      }
    }
    if (curve == null) {
      throw new Der.MalformedException(
          "the EC key names no curve (explicit or missing curve parameters are not supported)");
    }
    return Der.sequence(Der.integer(0), Der.sequence(EC_PUBLIC_KEY, curve), Der.octetString(sec1));
  }

  /** The JDK key-factory algorithm of a PKCS#8 {@code PrivateKeyInfo}. */
  private static String algorithmOf(byte[] pkcs8) throws Der.MalformedException {
    Der.Element root = Der.single(pkcs8);
    List<Der.Element> parts = root.tag() == Der.SEQUENCE ? root.children() : List.of();
    if (parts.size() < 3
        || parts.get(0).tag() != Der.INTEGER
        || parts.get(1).tag() != Der.SEQUENCE) {
      throw new Der.MalformedException("not a PrivateKeyInfo structure");
    }
    List<Der.Element> algorithm = parts.get(1).children();
    if (algorithm.isEmpty() || algorithm.get(0).tag() != Der.OID) {
      throw new Der.MalformedException("no algorithm identifier");
    }
    byte[] oid = algorithm.get(0).encoded();
    if (Arrays.equals(oid, RSA_ENCRYPTION)) {
      return "RSA";
    }
    if (Arrays.equals(oid, RSASSA_PSS)) {
      return "RSASSA-PSS";
    }
    if (Arrays.equals(oid, EC_PUBLIC_KEY)) {
      return "EC";
    }
    if (Arrays.equals(oid, ED25519)) {
      return "Ed25519";
    }
    if (Arrays.equals(oid, ED448)) {
      return "Ed448";
    }
    throw new Der.MalformedException(
        "unsupported key algorithm; RSA, EC, Ed25519 and Ed448 are supported");
  }
}
