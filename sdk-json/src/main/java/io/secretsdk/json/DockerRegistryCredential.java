package io.secretsdk.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * The credentials for one registry in a {@code .dockerconfigjson}: user name, password, and the
 * {@code auth} form ({@code base64(username:password)}) that Docker clients send. Entries that
 * carry only {@code auth} are decoded; entries that carry only {@code username} and {@code
 * password} get their {@code auth} computed.
 *
 * <p>Immutable and thread-safe. {@link #toString()} names the registry and the user, never the
 * password or the {@code auth}.
 */
public final class DockerRegistryCredential {

  private final String registry;
  private final String username;
  private final String password;

  DockerRegistryCredential(String registry, String username, String password) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.username = Objects.requireNonNull(username, "username");
    this.password = Objects.requireNonNull(password, "password");
  }

  /**
   * The registry as the file names it, for example {@code registry.example.com} or {@code
   * https://index.docker.io/v1/}.
   */
  public String registry() {
    return registry;
  }

  /** The user name. */
  public String username() {
    return username;
  }

  /** The password or token. */
  public String password() {
    return password;
  }

  /**
   * {@code base64(username:password)}, the value of an HTTP {@code Authorization: Basic} header.
   */
  public String auth() {
    return Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Registry and user name; never the password. */
  @Override
  public String toString() {
    return "DockerRegistryCredential[registry="
        + registry
        + ", username="
        + username
        + ", password=****]";
  }
}
