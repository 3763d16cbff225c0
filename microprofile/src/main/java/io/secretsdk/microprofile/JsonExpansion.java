package io.secretsdk.microprofile;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretOrigin;
import io.secretsdk.SecretSettings;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.json.JsonSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The {@code [json=expand]} mounts: every secret read from one of them whose value is a JSON object
 * is served as dotted properties instead of one ({@code db} = <code>{"username":"u",
 * "pool":{"max":5}}</code> under prefix {@code app} gives {@code app.db.username} and {@code
 * app.db.pool.max}); arrays give indexed names ({@code hosts[0]}), numbers and booleans their JSON
 * text. Other values, JSON or not, stay as they are. A value that starts with <code>{</code> but
 * does not parse keeps the properties of its last good document (or, without one, is not served),
 * and is logged once by {@link JsonSecrets} with the key and the position, never the content.
 *
 * <p>Parsing is {@code secretsdk-json}'s ({@link JsonSecrets}, Jackson 2 databind), once per
 * distinct content. This class is only loaded when a mount asks for expansion, so Jackson stays
 * optional. Thread-safe.
 */
final class JsonExpansion implements PropertyExpansion {

  private final List<SecretSettings.Mount> mounts;
  private final JsonSecrets json = JsonSecrets.create();
  private volatile List<String> problems = List.of();

  private JsonExpansion(List<SecretSettings.Mount> mounts) {
    this.mounts = List.copyOf(mounts);
  }

  /** Declared as the interface, so callers never name this class's Jackson-bound type. */
  static PropertyExpansion over(List<SecretSettings.Mount> mounts) {
    return new JsonExpansion(mounts);
  }

  @Override
  public void expand(SecretSnapshot snapshot, SortedMap<String, String> properties) {
    List<String> found = new ArrayList<>();
    for (String name : new ArrayList<>(properties.keySet())) {
      Secret secret = snapshot.find(name);
      if (secret == null || !covered(secret)) {
        continue;
      }
      Map<String, String> expanded;
      try {
        expanded = json.expand(secret);
      } catch (SecretException e) {
        properties.remove(name);
        found.add(e.getMessage());
        continue;
      }
      if (expanded.size() == 1 && expanded.containsKey(name)) {
        continue;
      }
      properties.remove(name);
      expanded.forEach(
          (key, value) -> {
            if (!snapshot.contains(key)) {
              properties.putIfAbsent(key, value);
            }
          });
      Optional<String> kept = json.problem(name);
      kept.ifPresent(found::add);
    }
    json.retainOnly(snapshot.names());
    problems = List.copyOf(found);
  }

  @Override
  public List<String> problems() {
    return problems;
  }

  private boolean covered(Secret secret) {
    if (!(secret.origin() instanceof SecretOrigin.File file)) {
      return false;
    }
    for (SecretSettings.Mount mount : mounts) {
      if (file.path().startsWith(mount.root()) && secret.name().startsWith(mount.prefix())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "JsonExpansion[mounts=" + mounts.size() + "]";
  }
}
