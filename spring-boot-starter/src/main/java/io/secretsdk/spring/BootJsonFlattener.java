package io.secretsdk.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.json.JsonParser;
import org.springframework.boot.json.JsonParserFactory;

/**
 * Flattens JSON with Spring Boot's own {@link JsonParserFactory} (Gson when present, otherwise
 * Boot's basic parser), for applications without Jackson 3. These parsers report no position, so
 * errors name the secret only. Stateless and thread-safe.
 */
final class BootJsonFlattener implements JsonFlattener {

  private final JsonParser parser = JsonParserFactory.getJsonParser();

  @Override
  public String id() {
    return "spring-boot";
  }

  @Override
  public Map<String, JsonField> flatten(String name, String json) {
    if (!json.strip().startsWith("{")) {
      return null;
    }
    Map<String, Object> document;
    try {
      document = parser.parseMap(json);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // JsonParseException is an IllegalArgumentException; the basic parser also throws
      // IllegalStateException.
      // The parser's message may quote the document: never passed on.
      throw new JsonDocumentException("secret '" + name + "' is not valid JSON");
    }
    Map<String, JsonField> fields = new LinkedHashMap<>();
    flatten("", document, fields);
    return fields;
  }

  private static void flatten(String name, Object value, Map<String, JsonField> fields) {
    if (value instanceof Map<?, ?> map) {
      map.forEach(
          (key, member) ->
              flatten(name.isEmpty() ? String.valueOf(key) : name + "." + key, member, fields));
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        flatten(name + "[" + i + "]", list.get(i), fields);
      }
    } else if (value != null) {
      fields.put(name, new JsonField(String.valueOf(value), 0, 0));
    }
  }
}
