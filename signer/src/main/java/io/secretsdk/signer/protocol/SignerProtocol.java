package io.secretsdk.signer.protocol;

import io.secretsdk.signer.HmacAlgorithm;
import io.secretsdk.signer.KeyStatus;
import io.secretsdk.signer.protocol.JsonReader.MalformedJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The signer sidecar's HTTP/JSON protocol, modelled on Vault's transit engine: the one encoder and
 * decoder of every body, used by the client ({@code Signer.sidecar}) and by the sidecar server.
 *
 * <ul>
 *   <li>{@code POST /v1/hmac/{key}[/{algorithm}]}: {@code {"input": b64}} answers {@code {"hmac":
 *       sig}}; {@code {"batch_input": [{"input": b64}, ...]}} answers {@code {"batch_results":
 *       [{"hmac": sig}, ...]}}; an optional {@code "algorithm": "sha2-512"}.
 *   <li>{@code POST /v1/verify/{key}}: {@code {"input": b64, "hmac": sig}} answers {@code {"valid":
 *       b}}, and the batch form.
 *   <li>{@code GET /v1/health}: {@code {"status": "ok", "keys": [{"name", "key_id",
 *       "previous_key_ids", "verify_only_key_ids", "problem"}]}}; 503 when no key is usable.
 *   <li>Errors: {@code {"errors": ["..."]}} with 400, 404, 405, 408, 413, 415, 431, 500, 503.
 * </ul>
 *
 * Decoding is strict (one object, no duplicate members, nesting at most 64 levels) and ignores
 * unknown members, as Vault does. Stateless and thread-safe.
 *
 * <p>Its length is the protocol itself: every request and answer with its encoder and decoder sits
 * here, so that the client and the server cannot drift apart (one codec per wire protocol).
 */
public final class SignerProtocol {

  /** {@code /v1/health}. */
  public static final String HEALTH_PATH = "/v1/health";

  /** {@code /v1/hmac/}, followed by the percent-encoded key name. */
  public static final String HMAC_PATH = "/v1/hmac/";

  /** {@code /v1/verify/}, followed by the percent-encoded key name. */
  public static final String VERIFY_PATH = "/v1/verify/";

  /** The media type of every body: {@code application/json}. */
  public static final String MEDIA_TYPE = "application/json";

  private SignerProtocol() {}

  // ---------------------------------------------------------------- requests

  /** The body of a sign request: the single form for one message unless {@code batch}. */
  public static byte[] encodeSignRequest(
      List<byte[]> messages, boolean batch, HmacAlgorithm algorithm) {
    JsonWriter w = new JsonWriter(estimate(messages, 16));
    if (!batch) {
      single(messages);
      w.raw("{\"input\":").base64(messages.get(0));
      if (algorithm != null && algorithm != HmacAlgorithm.SHA256) {
        w.raw(",\"algorithm\":").string(algorithm.wireName());
      }
      return w.raw("}").toByteArray();
    }
    w.raw("{");
    if (algorithm != null && algorithm != HmacAlgorithm.SHA256) {
      w.raw("\"algorithm\":").string(algorithm.wireName()).raw(",");
    }
    w.raw("\"batch_input\":[");
    for (int i = 0; i < messages.size(); i++) {
      w.raw(i == 0 ? "{\"input\":" : ",{\"input\":").base64(messages.get(i)).raw("}");
    }
    return w.raw("]}").toByteArray();
  }

  /** The body of a verify request; a null signature is sent as the empty string. */
  public static byte[] encodeVerifyRequest(
      List<byte[]> messages, List<String> signatures, boolean batch) {
    if (messages.size() != signatures.size()) {
      throw new IllegalArgumentException(
          "one signature per message: "
              + messages.size()
              + " messages, "
              + signatures.size()
              + " signatures");
    }
    JsonWriter w = new JsonWriter(estimate(messages, 120));
    if (!batch) {
      single(messages);
      String s = signatures.get(0);
      return w.raw("{\"input\":")
          .base64(messages.get(0))
          .raw(",\"hmac\":")
          .string(s == null ? "" : s)
          .raw("}")
          .toByteArray();
    }
    w.raw("{\"batch_input\":[");
    for (int i = 0; i < messages.size(); i++) {
      String s = signatures.get(i);
      w.raw(i == 0 ? "{\"input\":" : ",{\"input\":")
          .base64(messages.get(i))
          .raw(",\"hmac\":")
          .string(s == null ? "" : s)
          .raw("}");
    }
    return w.raw("]}").toByteArray();
  }

  /**
   * Decodes a sign ({@code verify == false}) or verify request body.
   *
   * @throws ProtocolException {@code 400} for malformed JSON, base64 or shape, {@code 413} for a
   *     batch of more than {@code maxBatch} items
   */
  public static ProtocolRequest decodeRequest(
      byte[] body, int offset, int length, boolean verify, int maxBatch) throws ProtocolException {
    JsonReader r = new JsonReader(body, offset, length);
    String input = null;
    String hmac = null;
    String algorithm = null;
    List<byte[]> inputs = null;
    List<String> hmacs = null;
    try {
      if (r.peek() != '{') {
        throw new ProtocolException(400, "the request body must be a JSON object");
      }
      r.beginObject();
      Set<String> seen = new HashSet<>(8);
      String field;
      while ((field = r.nextName()) != null) {
        if (!seen.add(field)) {
          throw new ProtocolException(
              400, "malformed JSON: duplicate field " + printable(field, 64) + r.position());
        }
        switch (field) {
          case "input":
            input = string(r, "input");
            break;
          case "hmac":
            hmac = string(r, "hmac");
            break;
          case "algorithm":
            algorithm = string(r, "algorithm");
            break;
          case "batch_input":
            if (r.peek() != '[') {
              throw new ProtocolException(400, "batch_input must be an array of objects");
            }
            inputs = new ArrayList<>();
            hmacs = verify ? new ArrayList<>() : null;
            batch(r, verify, maxBatch, inputs, hmacs);
            break;
          default:
            // Unknown fields are ignored, as Vault does (clients may send key_version and the
            // like).
            r.skipValue();
            break;
        }
      }
      r.endDocument();
    } catch (MalformedJson e) {
      throw new ProtocolException(400, "malformed JSON: " + e.getMessage());
    }
    boolean top = input != null || hmac != null;
    if (inputs != null) {
      if (top) {
        throw new ProtocolException(400, "give either input or batch_input, not both");
      }
      return new ProtocolRequest(inputs, hmacs, true, algorithm);
    }
    if (input == null) {
      throw new ProtocolException(400, "missing field: input (base64 of the message)");
    }
    if (verify && hmac == null) {
      throw new ProtocolException(400, "missing field: hmac (the signature to verify)");
    }
    return new ProtocolRequest(
        List.of(base64(input, "input")), verify ? List.of(hmac) : null, false, algorithm);
  }

  private static void batch(
      JsonReader r, boolean verify, int maxBatch, List<byte[]> inputs, List<String> hmacs)
      throws MalformedJson, ProtocolException {
    r.beginArray();
    while (r.hasNextElement()) {
      int index = inputs.size();
      if (index >= maxBatch) {
        throw new ProtocolException(
            413, "batch_input has more than " + maxBatch + " items; split the batch");
      }
      if (r.peek() != '{') {
        throw new ProtocolException(400, "batch_input[" + index + "] must be an object");
      }
      r.beginObject();
      String input = null;
      String hmac = null;
      String field;
      while ((field = r.nextName()) != null) {
        if (field.equals("input")) {
          if (input != null) {
            throw new ProtocolException(
                400, "malformed JSON: duplicate field input" + r.position());
          }
          input = string(r, "batch_input[" + index + "].input");
        } else if (field.equals("hmac")) {
          if (hmac != null) {
            throw new ProtocolException(400, "malformed JSON: duplicate field hmac" + r.position());
          }
          hmac = string(r, "batch_input[" + index + "].hmac");
        } else {
          r.skipValue();
        }
      }
      if (input == null) {
        throw new ProtocolException(400, "missing field: batch_input[" + index + "].input");
      }
      if (verify && hmac == null) {
        throw new ProtocolException(400, "missing field: batch_input[" + index + "].hmac");
      }
      inputs.add(base64(input, "batch_input[" + index + "].input"));
      if (verify) {
        hmacs.add(hmac);
      }
    }
  }

  /**
   * The algorithm a request asks for: the path suffix and the body's field must agree; neither
   * means HMAC-SHA256.
   *
   * @throws ProtocolException {@code 400} for an unknown name or a disagreement
   */
  public static HmacAlgorithm algorithm(String fromPath, String fromBody) throws ProtocolException {
    try {
      HmacAlgorithm a = fromPath == null ? null : HmacAlgorithm.parse(fromPath);
      HmacAlgorithm b = fromBody == null ? null : HmacAlgorithm.parse(fromBody);
      if (a != null && b != null && a != b) {
        throw new ProtocolException(
            400, "the path asks for " + a.wireName() + " but the body for " + b.wireName());
      }
      return a != null ? a : b != null ? b : HmacAlgorithm.SHA256;
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(400, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- answers

  /** {@code {"hmac": sig}} or, for a batch, {@code {"batch_results": [{"hmac": sig}, ...]}}. */
  public static byte[] encodeSignResponse(List<String> signatures, boolean batch) {
    JsonWriter w = new JsonWriter(16 + signatures.size() * 72);
    if (!batch) {
      single(signatures);
      return w.raw("{\"hmac\":").string(signatures.get(0)).raw("}").toByteArray();
    }
    w.raw("{\"batch_results\":[");
    for (int i = 0; i < signatures.size(); i++) {
      w.raw(i == 0 ? "{\"hmac\":" : ",{\"hmac\":").string(signatures.get(i)).raw("}");
    }
    return w.raw("]}").toByteArray();
  }

  /** {@code {"valid": b}} or, for a batch, {@code {"batch_results": [{"valid": b}, ...]}}. */
  public static byte[] encodeVerifyResponse(List<Boolean> valid, boolean batch) {
    JsonWriter w = new JsonWriter(16 + valid.size() * 16);
    if (!batch) {
      single(valid);
      return w.raw(valid.get(0) ? "{\"valid\":true}" : "{\"valid\":false}").toByteArray();
    }
    w.raw("{\"batch_results\":[");
    for (int i = 0; i < valid.size(); i++) {
      w.raw(i == 0 ? "" : ",").raw(valid.get(i) ? "{\"valid\":true}" : "{\"valid\":false}");
    }
    return w.raw("]}").toByteArray();
  }

  /**
   * Decodes a sign answer: the signatures, exactly {@code expected} of them for a batch.
   *
   * @throws ProtocolException {@link ProtocolException#MALFORMED_ANSWER} saying what is wrong
   */
  public static List<String> decodeSignResponse(
      byte[] body, int offset, int length, int expected, boolean batch) throws ProtocolException {
    List<Object> values = decodeResults(body, offset, length, "hmac", expected, batch);
    List<String> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add((String) v);
    }
    return out;
  }

  /**
   * Decodes a verify answer.
   *
   * @throws ProtocolException {@link ProtocolException#MALFORMED_ANSWER} saying what is wrong
   */
  public static List<Boolean> decodeVerifyResponse(
      byte[] body, int offset, int length, int expected, boolean batch) throws ProtocolException {
    List<Object> values = decodeResults(body, offset, length, "valid", expected, batch);
    List<Boolean> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add((Boolean) v);
    }
    return out;
  }

  private static List<Object> decodeResults(
      byte[] body, int offset, int length, String field, int expected, boolean batch)
      throws ProtocolException {
    JsonReader r = new JsonReader(body, offset, length);
    String wanted = batch ? "batch_results" : field;
    List<Object> out = null;
    try {
      if (r.peek() != '{') {
        throw malformed("not a JSON object");
      }
      r.beginObject();
      String name;
      while ((name = r.nextName()) != null) {
        if (!name.equals(wanted) || out != null) {
          r.skipValue();
        } else if (!batch) {
          out = List.of(value(r, field));
        } else {
          if (r.peek() != '[') {
            throw malformed("batch_results is not an array");
          }
          out = new ArrayList<>(expected);
          r.beginArray();
          while (r.hasNextElement()) {
            if (r.peek() != '{') {
              throw malformed("a batch result is not an object");
            }
            r.beginObject();
            Object value = null;
            String inner;
            while ((inner = r.nextName()) != null) {
              if (inner.equals(field) && value == null) {
                value = value(r, field);
              } else {
                r.skipValue();
              }
            }
            if (value == null) {
              throw malformed("a batch result has no " + field);
            }
            out.add(value);
          }
        }
      }
      r.endDocument();
    } catch (MalformedJson e) {
      throw malformed("malformed JSON");
    }
    if (out == null) {
      throw malformed("no " + wanted + " field");
    }
    if (batch && out.size() != expected) {
      throw malformed("expected " + expected + " batch results, got " + out.size());
    }
    return out;
  }

  private static Object value(JsonReader r, String field) throws MalformedJson, ProtocolException {
    char k = r.peek();
    if (field.equals("hmac")) {
      if (k != '"') {
        throw malformed(field + " is not a string");
      }
      return r.readString();
    }
    if (k != 't' && k != 'f') {
      throw malformed(field + " is not a boolean");
    }
    return r.readBoolean();
  }

  private static ProtocolException malformed(String what) {
    return new ProtocolException(ProtocolException.MALFORMED_ANSWER, what);
  }

  /** {@code {"errors": [message]}}. */
  public static byte[] encodeError(String message) {
    return new JsonWriter(32 + message.length())
        .raw("{\"errors\":[")
        .string(message)
        .raw("]}")
        .toByteArray();
  }

  /**
   * The messages of an error answer joined with {@code "; "} (each at most 500 characters, control
   * characters replaced), or {@code "(no error message in the answer)"}.
   */
  public static String decodeError(byte[] body, int offset, int length) {
    JsonReader r = new JsonReader(body, offset, length);
    List<String> errors = new ArrayList<>();
    try {
      if (r.peek() == '{') {
        r.beginObject();
        String name;
        while ((name = r.nextName()) != null) {
          if (name.equals("errors") && r.peek() == '[' && errors.isEmpty()) {
            r.beginArray();
            while (r.hasNextElement()) {
              if (r.peek() == '"') {
                errors.add(printable(r.readString(), 500));
              } else {
                r.skipValue();
              }
            }
          } else {
            r.skipValue();
          }
        }
      }
    } catch (MalformedJson e) {
      // Not our JSON: use what was read, if anything.
    }
    return errors.isEmpty() ? "(no error message in the answer)" : String.join("; ", errors);
  }

  /**
   * The health answer: {@code status} is {@code ok} when some key is usable, and every key's id,
   * previous ids, verify-only ids and problem (never key bytes).
   */
  public static byte[] encodeHealth(List<KeyStatus> keys) {
    boolean usable = keys.stream().anyMatch(KeyStatus::usable);
    JsonWriter w = new JsonWriter(64 + keys.size() * 96);
    w.raw("{\"status\":").string(usable ? "ok" : "no usable keys").raw(",\"keys\":[");
    for (int i = 0; i < keys.size(); i++) {
      KeyStatus k = keys.get(i);
      w.raw(i == 0 ? "{\"name\":" : ",{\"name\":").string(k.name());
      if (k.keyId() != null) {
        w.raw(",\"key_id\":").string(k.keyId());
      }
      ids(w, "previous_key_ids", k.previousKeyIds());
      ids(w, "verify_only_key_ids", k.verifyOnlyKeyIds());
      if (k.problem() != null) {
        w.raw(",\"problem\":").string(k.problem());
      }
      w.raw("}");
    }
    return w.raw("]}").toByteArray();
  }

  private static void ids(JsonWriter w, String field, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    w.raw(",\"").raw(field).raw("\":[");
    for (int j = 0; j < ids.size(); j++) {
      w.raw(j == 0 ? "" : ",").string(ids.get(j));
    }
    w.raw("]");
  }

  // ---------------------------------------------------------------- paths and small helpers

  /** The request path for an operation on a key: {@code /v1/hmac/<percent-encoded name>}. */
  public static String path(boolean verify, String keyName) {
    return (verify ? VERIFY_PATH : HMAC_PATH) + encodeKeySegment(keyName);
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  public static String encodeKeySegment(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * Decodes a percent-encoded path segment as UTF-8.
   *
   * @throws ProtocolException {@code 404} for a broken escape
   */
  public static String decodeKeySegment(String raw) throws ProtocolException {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new ProtocolException(404, "no signing key named '" + printable(raw, 64) + "'");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Whether a {@code Content-Type} value is JSON ({@code application/json} or {@code
   * application/*+json}, parameters allowed).
   */
  public static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return media.equals(MEDIA_TYPE)
        || (media.startsWith("application/") && media.endsWith("+json"));
  }

  /** The {@code 415} error for a missing or non-JSON {@code Content-Type}. */
  public static ProtocolException notJson(String contentType) {
    return new ProtocolException(
        415,
        (contentType == null
                ? "missing Content-Type"
                : "unsupported Content-Type " + printable(contentType, 64))
            + "; send application/json");
  }

  /**
   * The string with control characters replaced by {@code ?} and at most {@code max} characters
   * kept.
   */
  public static String printable(String s, int max) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 3);
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (s.length() > max) {
      sb.append("...");
    }
    return sb.toString();
  }

  /** Decodes standard or URL-safe base64, padded or not. */
  private static byte[] base64(String value, String field) throws ProtocolException {
    try {
      boolean url = value.indexOf('-') >= 0 || value.indexOf('_') >= 0;
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(value);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(400, field + " is not valid base64");
    }
  }

  private static String string(JsonReader r, String field) throws MalformedJson, ProtocolException {
    if (r.peek() != '"') {
      throw new ProtocolException(400, field + " must be a string");
    }
    return r.readString();
  }

  private static void single(List<?> items) {
    if (items.size() != 1) {
      throw new IllegalArgumentException(
          "the single form takes exactly one item, not " + items.size());
    }
  }

  private static int estimate(List<byte[]> messages, int perItem) {
    long n = 32;
    for (byte[] m : messages) {
      n += perItem + 4L * ((m.length + 2) / 3);
    }
    return (int) Math.min(n, Integer.MAX_VALUE - 64);
  }
}
