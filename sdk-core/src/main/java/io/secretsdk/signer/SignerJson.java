package io.secretsdk.signer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The sidecar protocol's JSON, on Jackson's streaming API (no data binding, no reflection).
 * Parse errors are reported by position only, never with an excerpt of the input.
 */
final class SignerJson {

  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
          .build();

  private SignerJson() {}

  /** A request the server refuses, with its HTTP status and a message for the client. */
  static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String allow;

    HttpError(int status, String message) {
      this(status, message, null);
    }

    HttpError(int status, String message, String allow) {
      super(message, null, false, false);
      this.status = status;
      this.allow = allow;
    }
  }

  /** One item to sign or verify. */
  static final class Item {
    String input;
    String hmac;
  }

  /** A parsed {@code /v1/hmac} or {@code /v1/verify} request body. */
  static final class Request {
    Item single;
    List<Item> batch;
    String algorithm;
  }

  /** Parses a request body; {@code verify} requires {@code hmac} in every item. */
  static Request parseRequest(byte[] body, boolean verify, int maxBatch) {
    Request request = new Request();
    Item top = new Item();
    boolean hasTop = false;
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new HttpError(400, "the request body must be a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "input":
            top.input = string(p, "input");
            hasTop = true;
            break;
          case "hmac":
            top.hmac = string(p, "hmac");
            hasTop = true;
            break;
          case "algorithm":
            request.algorithm = string(p, "algorithm");
            break;
          case "batch_input":
            request.batch = batch(p, verify, maxBatch);
            break;
          default:
            // Unknown fields are ignored, as Vault does (clients may send key_version and the like).
            p.skipChildren();
            break;
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new HttpError(400, "the request body must be exactly one JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "malformed JSON" + position(e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (request.batch != null && hasTop) {
      throw new HttpError(400, "give either input or batch_input, not both");
    }
    if (request.batch == null) {
      if (top.input == null) {
        throw new HttpError(400, "missing field: input (base64 of the message)");
      }
      if (verify && top.hmac == null) {
        throw new HttpError(400, "missing field: hmac (the signature to verify)");
      }
      request.single = top;
    }
    return request;
  }

  private static List<Item> batch(JsonParser p, boolean verify, int maxBatch) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new HttpError(400, "batch_input must be an array of objects");
    }
    List<Item> items = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      int index = items.size();
      if (index >= maxBatch) {
        throw new HttpError(413, "batch_input has more than " + maxBatch + " items; split the batch");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new HttpError(400, "batch_input[" + index + "] must be an object");
      }
      Item item = new Item();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("input")) {
          item.input = string(p, "batch_input[" + index + "].input");
        } else if (field.equals("hmac")) {
          item.hmac = string(p, "batch_input[" + index + "].hmac");
        } else {
          p.skipChildren();
        }
      }
      if (item.input == null) {
        throw new HttpError(400, "missing field: batch_input[" + index + "].input");
      }
      if (verify && item.hmac == null) {
        throw new HttpError(400, "missing field: batch_input[" + index + "].hmac");
      }
      items.add(item);
    }
    return items;
  }

  private static String string(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new HttpError(400, field + " must be a string");
    }
    return p.getText();
  }

  private static String position(JsonProcessingException e) {
    if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
      return "";
    }
    return " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  /** Decodes standard or URL-safe base64, padded or not. */
  static byte[] base64(String value, String field) {
    try {
      boolean url = value.indexOf('-') >= 0 || value.indexOf('_') >= 0;
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(value);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, field + " is not valid base64");
    }
  }

  /** Writes JSON with a callback; the result is UTF-8 bytes. */
  static byte[] write(JsonWriter writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code {"errors": [message]}}. */
  static byte[] errors(String message) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("errors");
          g.writeString(message);
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** Writes one JSON document. */
  @FunctionalInterface
  interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }
}
