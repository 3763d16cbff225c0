package io.secretsdk.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A JSON object as dotted property names, the way Spring Boot binds them: {@code
 * {"pool":{"max":5}}} under {@code db} gives {@code db.pool.max=5}, arrays give indexed names
 * ({@code db.hosts[0]}, {@code db.replicas[1].url}), numbers and booleans their JSON text, {@code
 * null} and empty containers nothing. Stateless.
 */
final class PropertyFlattener {

  private PropertyFlattener() {}

  /** The properties of {@code object} under {@code name}, sorted; unmodifiable. */
  static Map<String, String> flatten(String name, JsonNode object) {
    TreeMap<String, String> out = new TreeMap<>();
    add(name, object, out);
    return Collections.unmodifiableMap(out);
  }

  private static void add(String name, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        add(name + "." + field.getKey(), field.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        add(name + "[" + i + "]", node.get(i), out);
      }
    } else if (node.isNumber()) {
      out.put(name, node.isBigDecimal() ? node.decimalValue().toString() : node.asText());
    } else if (node.isValueNode() && !node.isNull() && !node.isMissingNode()) {
      out.put(name, node.asText());
    }
  }
}
