package io.secretsdk.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code spring.config.import=secrets:<directory>} and {@code optional:secrets:...}.
 *
 * <p>Grammar: {@code secrets:<directory>[<option>=<value>;...]}, where the bracketed options are
 * optional and override the {@code secretsdk.import.*} defaults for this import only:
 *
 * <ul>
 *   <li>{@code prefix} — prepended to every name, for example {@code
 *       secrets:/etc/db/[prefix=spring.datasource.]};
 *   <li>{@code trim-trailing-newline} — {@code true} (default, as {@code configtree:}) or {@code
 *       false};
 *   <li>{@code watch} — {@code true} (default) or {@code false};
 *   <li>{@code json} — {@code expand} serves JSON-object values as one property per member, or
 *       {@code none} (default).
 * </ul>
 *
 * <p>Registered in {@code META-INF/spring.factories}. Stateless and thread-safe.
 */
final class SecretsConfigDataLocationResolver
    implements ConfigDataLocationResolver<SecretsConfigDataResource> {

  static final String PREFIX = "secrets:";

  @Override
  public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<SecretsConfigDataResource> resolve(
      ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return List.of(resolve(location.getNonPrefixedValue(PREFIX), location.isOptional(), context.getBinder()));
  }

  static SecretsConfigDataResource resolve(String value, boolean optional, Binder binder) {
    String directory = value.trim();
    String options = "";
    if (directory.endsWith("]")) {
      int open = directory.lastIndexOf('[');
      if (open < 0) {
        throw new IllegalArgumentException(
            "secrets import '" + value + "' has ']' without '[': write secrets:<directory>[prefix=...]");
      }
      options = directory.substring(open + 1, directory.length() - 1);
      directory = directory.substring(0, open).trim();
    }
    if (directory.startsWith("file:")) {
      directory = directory.substring("file:".length());
    }
    if (directory.isEmpty()) {
      throw new IllegalArgumentException(
          "secrets import '" + PREFIX + value + "' names no directory: write secrets:/path/to/dir/");
    }
    String prefix = "";
    boolean trim =
        binder.bind("secretsdk.import.trim-trailing-newline", Boolean.class).orElse(Boolean.TRUE);
    boolean watch = binder.bind("secretsdk.import.watch", Boolean.class).orElse(Boolean.TRUE);
    Duration pollInterval = binder.bind("secretsdk.import.poll-interval", Duration.class).orElse(null);
    long maxBytes = binder.bind("secretsdk.import.max-secret-bytes", Long.class).orElse(0L);
    boolean jsonExpand = false;
    for (String option : options.split(";")) {
      if (option.isBlank()) {
        continue;
      }
      int eq = option.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "secrets import option '" + option.trim() + "' in '" + value + "' needs a value: name=value");
      }
      String name = option.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String optionValue = option.substring(eq + 1).trim();
      switch (name) {
        case "prefix" -> prefix = optionValue;
        case "trim-trailing-newline" -> trim = parseBoolean(name, optionValue, value);
        case "watch" -> watch = parseBoolean(name, optionValue, value);
        case "json" -> jsonExpand = parseJson(optionValue, value);
        default ->
            throw new IllegalArgumentException(
                "unknown secrets import option '"
                    + name
                    + "' in '"
                    + value
                    + "'; known options: prefix, trim-trailing-newline, watch, json");
      }
    }
    Path path = Path.of(directory).toAbsolutePath().normalize();
    String location = PREFIX + value.trim();
    return new SecretsConfigDataResource(
        location, path, prefix, optional, trim, watch, pollInterval, maxBytes, jsonExpand);
  }

  private static boolean parseJson(String text, String value) {
    if (text.equalsIgnoreCase("expand")) {
      return true;
    }
    if (text.equalsIgnoreCase("none")) {
      return false;
    }
    throw new IllegalArgumentException(
        "secrets import option 'json' in '" + value + "' must be expand or none: " + text);
  }

  private static boolean parseBoolean(String name, String text, String value) {
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(
        "secrets import option '" + name + "' in '" + value + "' must be true or false: " + text);
  }
}
