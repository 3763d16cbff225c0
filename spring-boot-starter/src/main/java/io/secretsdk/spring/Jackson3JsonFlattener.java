package io.secretsdk.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * Flattens JSON with Jackson 3's streaming parser ({@code tools.jackson.core}), which reports the
 * line and column of every member and of a syntax error. Stateless and thread-safe.
 */
final class Jackson3JsonFlattener implements JsonFlattener {

  private static final JsonFactory FACTORY = new JsonFactory();

  @Override
  public String id() {
    return "jackson3";
  }

  @Override
  public Map<String, JsonField> flatten(String name, String json) {
    try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), json)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        // Validate the rest so a broken document is reported, then keep it as a plain value.
        parser.skipChildren();
        return null;
      }
      Map<String, JsonField> fields = new LinkedHashMap<>();
      readObject(parser, "", fields);
      if (parser.nextToken() != null) {
        TokenStreamLocation at = parser.currentTokenLocation();
        throw new JsonDocumentException(
            "secret '"
                + name
                + "' has content after its JSON object at line "
                + at.getLineNr()
                + ", column "
                + at.getColumnNr());
      }
      return fields;
    } catch (JacksonException e) {
      // Jackson's own message may quote characters of the document: only the position is kept.
      TokenStreamLocation at = e.getLocation();
      String position =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new JsonDocumentException("secret '" + name + "' is not valid JSON" + position);
    }
  }

  private static void readObject(JsonParser parser, String prefix, Map<String, JsonField> fields) {
    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
      String member = prefix.isEmpty() ? parser.currentName() : prefix + "." + parser.currentName();
      parser.nextToken();
      readValue(parser, member, fields);
    }
  }

  private static void readArray(JsonParser parser, String prefix, Map<String, JsonField> fields) {
    int index = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      readValue(parser, prefix + "[" + index++ + "]", fields);
    }
  }

  private static void readValue(JsonParser parser, String name, Map<String, JsonField> fields) {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> readObject(parser, name, fields);
      case START_ARRAY -> readArray(parser, name, fields);
      case VALUE_NULL -> {}
      default -> {
        TokenStreamLocation at = parser.currentTokenLocation();
        fields.put(name, new JsonField(parser.getString(), at.getLineNr(), at.getColumnNr()));
      }
    }
  }
}
