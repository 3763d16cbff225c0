package io.secretsdk.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registries of a {@code kubernetes.io/dockerconfigjson} Secret's {@code .dockerconfigjson}
 * ({@code {"auths":{"registry.example.com":{"username":...,"password":...,"auth":...}}}}), or of a
 * legacy {@code kubernetes.io/dockercfg} {@code .dockercfg} (the same entries without {@code
 * auths}). Entries with neither {@code username}/{@code password} nor {@code auth} (an {@code
 * identitytoken} only) are left out. Get one from {@link JsonSecrets#dockerConfig}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} lists registries, never credentials.
 */
public final class DockerConfigJson {

  private final Map<String, DockerRegistryCredential> registries;

  private DockerConfigJson(Map<String, DockerRegistryCredential> registries) {
    this.registries = Collections.unmodifiableMap(registries);
  }

  static DockerConfigJson from(Secret secret, JsonNode document) {
    JsonNode auths = document.has("auths") ? document.get("auths") : document;
    if (!auths.isObject()) {
      throw new JsonSecretException(
          secret.name(),
          -1,
          -1,
          "secret '"
              + secret.name()
              + "' from "
              + secret.origin()
              + " is not a docker config: expected an object with \"auths\"");
    }
    TreeMap<String, DockerRegistryCredential> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : auths.properties()) {
      String registry = entry.getKey();
      JsonNode fields = entry.getValue();
      String username = text(fields, "username");
      String password = text(fields, "password");
      String auth = text(fields, "auth");
      if (username != null && password != null) {
        out.put(registry, new DockerRegistryCredential(registry, username, password));
      } else if (auth != null && !auth.isEmpty()) {
        out.put(registry, decode(secret, registry, auth));
      }
    }
    return new DockerConfigJson(out);
  }

  private static String text(JsonNode fields, String name) {
    JsonNode node = fields.get(name);
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  private static DockerRegistryCredential decode(Secret secret, String registry, String auth) {
    String pair;
    try {
      pair = new String(java.util.Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw JsonErrors.badAuth(secret, registry, "is not base64");
    }
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw JsonErrors.badAuth(secret, registry, "does not decode to username:password");
    }
    return new DockerRegistryCredential(
        registry, pair.substring(0, colon), pair.substring(colon + 1));
  }

  /** Every registry with credentials, by the name the file gives it, sorted; unmodifiable. */
  public Map<String, DockerRegistryCredential> registries() {
    return registries;
  }

  /**
   * The credentials for a registry: the entry named exactly so, else the entry whose host matches
   * ({@code registry.example.com} finds {@code https://registry.example.com/v2/}; {@code docker.io}
   * finds {@code https://index.docker.io/v1/}).
   */
  public Optional<DockerRegistryCredential> registry(String registry) {
    DockerRegistryCredential exact = registries.get(registry);
    if (exact != null) {
      return Optional.of(exact);
    }
    String host = host(registry);
    for (DockerRegistryCredential candidate : registries.values()) {
      if (host(candidate.registry()).equals(host)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The host (and port) of a registry reference, lower case, with Docker Hub's aliases folded. */
  static String host(String registry) {
    String s = registry.trim().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    if (slash >= 0) {
      s = s.substring(0, slash);
    }
    if (s.equals("index.docker.io")
        || s.equals("registry-1.docker.io")
        || s.equals("registry.hub.docker.com")) {
      return "docker.io";
    }
    return s;
  }

  /** The registries; never credentials. */
  @Override
  public String toString() {
    return "DockerConfigJson[registries=" + registries.keySet() + "]";
  }
}
