package io.secretsdk.spring;

import io.secretsdk.SecretSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One {@code secrets:} import: the location as written and the core {@link SecretSettings} it
 * resolves to (one mount, with every option resolved). Two imports of the same directory with the
 * same settings are equal, and share one store.
 *
 * <p>Immutable and thread-safe.
 */
final class SecretsConfigDataResource extends ConfigDataResource {

  private final String location;
  private final SecretSettings settings;

  SecretsConfigDataResource(String location, SecretSettings settings) {
    super(settings.mounts().get(0).optional());
    if (settings.mounts().size() != 1) {
      throw new IllegalArgumentException("one import is one mount: " + settings.mounts());
    }
    this.location = Objects.requireNonNull(location, "location");
    this.settings = settings;
  }

  /** The location as written in {@code spring.config.import}, without {@code optional:}. */
  String location() {
    return location;
  }

  /** The settings the import's store is built from. */
  SecretSettings settings() {
    return settings;
  }

  private SecretSettings.Mount mount() {
    return settings.mounts().get(0);
  }

  Path path() {
    return mount().root();
  }

  String prefix() {
    return mount().prefix();
  }

  boolean optional() {
    return mount().optional();
  }

  /** Whether the import asked for {@code json=expand}. */
  boolean jsonExpand() {
    return mount().jsonExpand();
  }

  boolean trimTrailingNewline() {
    return settings.trimTrailingNewline();
  }

  boolean watch() {
    return settings.watch();
  }

  Duration pollInterval() {
    return settings.pollInterval();
  }

  long maxSecretBytes() {
    return settings.maxSecretBytes();
  }

  /** The property source name: unique per directory and prefix. */
  String propertySourceName() {
    String name =
        prefix().isEmpty()
            ? "Secrets '" + path() + "'"
            : "Secrets '" + path() + "' [prefix=" + prefix() + "]";
    // An import of the same directory with json=expand is another property source.
    return jsonExpand() ? name + " [json=expand]" : name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsConfigDataResource other && settings.equals(other.settings);
  }

  @Override
  public int hashCode() {
    return settings.hashCode();
  }

  /** Shown by Spring Boot when the directory is missing: says what was imported and from where. */
  @Override
  public String toString() {
    return "secrets directory '"
        + path()
        + "'"
        + (prefix().isEmpty() ? "" : " with prefix '" + prefix() + "'");
  }
}
