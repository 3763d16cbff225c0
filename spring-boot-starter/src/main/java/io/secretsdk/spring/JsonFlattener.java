package io.secretsdk.spring;

import java.util.Map;
import org.springframework.util.ClassUtils;

/**
 * Parses a JSON object and flattens it into property names relative to the document, the way Spring
 * binds them: nested objects as {@code pool.max}, arrays as {@code hosts[0]}, numbers and booleans
 * as their JSON text; {@code null} members are left out.
 *
 * <p>Implementations are stateless and thread-safe.
 */
interface JsonFlattener {

  /**
   * The members of {@code json}, in document order.
   *
   * @param name the secret's name, for the error message
   * @return the flattened members, or {@code null} when the document is valid JSON but not an
   *     object (it then stays a plain value)
   * @throws JsonDocumentException naming {@code name} and the position, never the content
   */
  Map<String, JsonField> flatten(String name, String json);

  /** A short name for health and logs: {@code jackson3} or {@code spring-boot}. */
  String id();

  /**
   * The parser of what the application has: Jackson 3's streaming parser when {@code
   * tools.jackson.core} is on the class path (every Spring Boot 4 web application has it),
   * otherwise Spring Boot's own {@code JsonParserFactory}. Jackson 2 is never needed.
   */
  static JsonFlattener best() {
    if (ClassUtils.isPresent(
        "tools.jackson.core.json.JsonFactory", JsonFlattener.class.getClassLoader())) {
      return new Jackson3JsonFlattener();
    }
    return new BootJsonFlattener();
  }
}
