package io.secretsdk.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.secretsdk.Secret;

/**
 * Turns Jackson's failures into messages that name the secret and the position only. Jackson's
 * messages quote the input ("Unrecognized token 'hunter2'", "from String \"s3cret\""), so none of
 * their text and none of the exceptions themselves (which also hold the parser) are kept.
 */
final class JsonErrors {

  private JsonErrors() {}

  /** The content of {@code secret} is not JSON. */
  static JsonSecretException notJson(Secret secret, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    long line = at == null ? -1 : at.getLineNr();
    long column = at == null ? -1 : at.getColumnNr();
    String what =
        e instanceof JsonEOFException
            ? "ends before its JSON document is complete"
            : e instanceof StreamReadException ? "is not valid JSON" : "could not be read as JSON";
    return new JsonSecretException(
        secret.name(),
        line,
        column,
        describe(secret)
            + " "
            + what
            + position(line, column)
            + "; fix the value in its source (the last good document, if any, stays in use)");
  }

  /** The content of {@code secret} is empty or only white space. */
  static JsonSecretException empty(Secret secret) {
    return new JsonSecretException(
        secret.name(),
        1,
        1,
        describe(secret) + " is empty, not a JSON document; fix the value in its source");
  }

  /** The document of {@code secret} parsed, but does not bind to {@code type}. */
  static JsonSecretException doesNotBind(Secret secret, Class<?> type, JsonMappingException e) {
    String field = pointer(e);
    String why =
        e instanceof UnrecognizedPropertyException unknown
            ? "it has a property '" + unknown.getPropertyName() + "' the type does not know"
            : "a value has a shape or type the field cannot take";
    return new JsonSecretException(
        secret.name(),
        -1,
        -1,
        describe(secret)
            + " does not bind to "
            + type.getName()
            + (field.isEmpty() ? "" : " at " + field)
            + ": "
            + why);
  }

  /** The same, for failures Jackson reports without a path. */
  static JsonSecretException doesNotBind(Secret secret, Class<?> type) {
    return new JsonSecretException(
        secret.name(), -1, -1, describe(secret) + " does not bind to " + type.getName());
  }

  /** The registry entry {@code registry} of a {@code .dockerconfigjson} has an unusable auth. */
  static JsonSecretException badAuth(Secret secret, String registry, String why) {
    return new JsonSecretException(
        secret.name(),
        -1,
        -1,
        describe(secret) + ": the \"auth\" of registry '" + registry + "' " + why);
  }

  /** How every message names the secret: its name and where it came from, never its value. */
  private static String describe(Secret secret) {
    return "secret '" + secret.name() + "' from " + secret.origin();
  }

  private static String position(long line, long column) {
    if (line < 0) {
      return "";
    }
    return column < 0 ? " at line " + line : " at line " + line + ", column " + column;
  }

  /** The JSON pointer of the field that failed, from field names and indexes only. */
  private static String pointer(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      sb.append('/');
      if (ref.getFieldName() != null) {
        sb.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else if (ref.getIndex() >= 0) {
        sb.append(ref.getIndex());
      } else {
        sb.append('?');
      }
    }
    return sb.toString();
  }
}
