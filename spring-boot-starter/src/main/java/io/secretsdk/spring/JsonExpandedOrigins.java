package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretOrigin;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.io.FileSystemResource;

/**
 * Origins of {@code json=expand} properties: the JSON file, at the member's line and column when
 * the parser reports them; plain values point at their file as without the option. Stateless.
 */
final class JsonExpandedOrigins {

  private JsonExpandedOrigins() {}

  static Origin origin(JsonExpandedProperties.View view, String name) {
    JsonExpandedProperties.Expanded member = view.expanded(name);
    if (member != null) {
      JsonField field = member.field();
      // TextResourceOrigin counts from 0; parsers count from 1 (0 means unknown).
      return origin(
          member.source(), Math.max(field.line() - 1, 0), Math.max(field.column() - 1, 0));
    }
    Secret secret = view.plain(name);
    return secret == null ? null : origin(secret, 0, 0);
  }

  private static Origin origin(Secret secret, int line, int column) {
    if (secret.origin() instanceof SecretOrigin.File file) {
      return new TextResourceOrigin(
          new FileSystemResource(file.path()), new TextResourceOrigin.Location(line, column));
    }
    return null;
  }
}
