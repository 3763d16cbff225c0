package io.secretsdk.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One {@code secrets:} import: a directory, the name prefix and the read settings it is imported
 * with. Two imports of the same directory with the same settings are equal, and share one store.
 *
 * <p>Immutable and thread-safe.
 */
final class SecretsConfigDataResource extends ConfigDataResource {

  private final String location;
  private final Path path;
  private final String prefix;
  private final boolean optional;
  private final boolean trimTrailingNewline;
  private final boolean watch;
  private final Duration pollInterval;
  private final long maxSecretBytes;
  private final boolean jsonExpand;

  SecretsConfigDataResource(
      String location,
      Path path,
      String prefix,
      boolean optional,
      boolean trimTrailingNewline,
      boolean watch,
      Duration pollInterval,
      long maxSecretBytes) {
    this(location, path, prefix, optional, trimTrailingNewline, watch, pollInterval, maxSecretBytes, false);
  }

  SecretsConfigDataResource(
      String location,
      Path path,
      String prefix,
      boolean optional,
      boolean trimTrailingNewline,
      boolean watch,
      Duration pollInterval,
      long maxSecretBytes,
      boolean jsonExpand) {
    super(optional);
    this.location = Objects.requireNonNull(location, "location");
    this.path = Objects.requireNonNull(path, "path");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.optional = optional;
    this.trimTrailingNewline = trimTrailingNewline;
    this.watch = watch;
    this.pollInterval = pollInterval;
    this.maxSecretBytes = maxSecretBytes;
    this.jsonExpand = jsonExpand;
  }

  /** The location as written in {@code spring.config.import}, without {@code optional:}. */
  String location() {
    return location;
  }

  Path path() {
    return path;
  }

  String prefix() {
    return prefix;
  }

  boolean optional() {
    return optional;
  }

  boolean trimTrailingNewline() {
    return trimTrailingNewline;
  }

  boolean watch() {
    return watch;
  }

  /** The poll interval, or {@code null} for the store's default. */
  Duration pollInterval() {
    return pollInterval;
  }

  /** The value size limit, or {@code 0} for the store's default. */
  long maxSecretBytes() {
    return maxSecretBytes;
  }

  /** Whether JSON-object values are expanded into properties ({@code json=expand}). */
  boolean jsonExpand() {
    return jsonExpand;
  }

  /** The property source name: unique per directory, prefix and JSON expansion. */
  String propertySourceName() {
    String name =
        prefix.isEmpty()
            ? "Secrets '" + path + "'"
            : "Secrets '" + path + "' [prefix=" + prefix + "]";
    return jsonExpand ? name + " [json=expand]" : name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsConfigDataResource other
        && path.equals(other.path)
        && prefix.equals(other.prefix)
        && optional == other.optional
        && trimTrailingNewline == other.trimTrailingNewline
        && watch == other.watch
        && Objects.equals(pollInterval, other.pollInterval)
        && maxSecretBytes == other.maxSecretBytes
        && jsonExpand == other.jsonExpand;
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, prefix, trimTrailingNewline, watch);
  }

  /** Shown by Spring Boot when the directory is missing: says what was imported and from where. */
  @Override
  public String toString() {
    return "secrets directory '" + path + "'" + (prefix.isEmpty() ? "" : " with prefix '" + prefix + "'");
  }
}
