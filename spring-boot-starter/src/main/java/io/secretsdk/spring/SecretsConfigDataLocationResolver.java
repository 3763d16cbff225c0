package io.secretsdk.spring;

import io.secretsdk.DurationText;
import io.secretsdk.SecretSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code spring.config.import=secrets:<directory>} and {@code optional:secrets:...} into
 * the core's {@link SecretSettings}.
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
 *   <li>{@code poll-interval} — a duration as {@link DurationText} reads it ({@code 5s}, {@code
 *       PT5S}, {@code 500ms}; a bare number is milliseconds), {@code 0} for no polling;
 *   <li>{@code max-secret-bytes} — the largest file accepted, in bytes;
 *   <li>{@code json} — {@code expand} to expand JSON-object values into {@code name.field}
 *       properties, {@code none} (default) to keep them as they are.
 * </ul>
 *
 * <p>An option or property that is not set means the default; there is no other spelling of it.
 * Registered in {@code META-INF/spring.factories}. Stateless and thread-safe.
 */
final class SecretsConfigDataLocationResolver
    implements ConfigDataLocationResolver<SecretsConfigDataResource> {

  static final String PREFIX = "secrets:";
  static final String TRIM_PROPERTY = "secretsdk.import.trim-trailing-newline";
  static final String WATCH_PROPERTY = "secretsdk.import.watch";
  static final String POLL_INTERVAL_PROPERTY = "secretsdk.import.poll-interval";
  static final String MAX_SECRET_BYTES_PROPERTY = "secretsdk.import.max-secret-bytes";
  private static final List<String> OPTIONS =
      List.of(
          "prefix", "trim-trailing-newline", "watch", "poll-interval", "max-secret-bytes", "json");

  @Override
  public boolean isResolvable(
      ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<SecretsConfigDataResource> resolve(
      ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return List.of(
        resolve(location.getNonPrefixedValue(PREFIX), location.isOptional(), context.getBinder()));
  }

  static SecretsConfigDataResource resolve(String value, boolean optional, Binder binder) {
    String directory = value.trim();
    String options = "";
    if (directory.endsWith("]")) {
      int open = directory.lastIndexOf('[');
      if (open < 0) {
        throw new IllegalArgumentException(
            "secrets import '"
                + value
                + "' has ']' without '[': write secrets:<directory>[prefix=...]");
      }
      options = directory.substring(open + 1, directory.length() - 1);
      directory = directory.substring(0, open).trim();
    }
    if (directory.startsWith("file:")) {
      directory = directory.substring("file:".length());
    }
    if (directory.isEmpty()) {
      throw new IllegalArgumentException(
          "secrets import '"
              + PREFIX
              + value
              + "' names no directory: write secrets:/path/to/dir/");
    }
    Map<String, String> perImport = new LinkedHashMap<>();
    for (String option : options.split(";")) {
      if (option.isBlank()) {
        continue;
      }
      int eq = option.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "secrets import option '"
                + option.trim()
                + "' in '"
                + value
                + "' needs a value: name=value");
      }
      String name = option.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown secrets import option '"
                + name
                + "' in '"
                + value
                + "'; known options: "
                + String.join(", ", OPTIONS));
      }
      perImport.put(name, option.substring(eq + 1).trim());
    }
    String where = " in '" + PREFIX + value.trim() + "'";
    Setting trim = setting(perImport, "trim-trailing-newline", binder, TRIM_PROPERTY, where);
    Setting watch = setting(perImport, "watch", binder, WATCH_PROPERTY, where);
    Setting poll = setting(perImport, "poll-interval", binder, POLL_INTERVAL_PROPERTY, where);
    Setting max = setting(perImport, "max-secret-bytes", binder, MAX_SECRET_BYTES_PROPERTY, where);
    String json = perImport.getOrDefault("json", "none");
    if (!json.equalsIgnoreCase("expand") && !json.equalsIgnoreCase("none")) {
      throw new IllegalArgumentException(
          "secrets import option 'json'"
              + where
              + " must be expand or none (the default): "
              + json);
    }
    SecretSettings.Mount mount =
        new SecretSettings.Mount(
            Path.of(directory),
            perImport.getOrDefault("prefix", ""),
            optional,
            json.equalsIgnoreCase("expand"));
    SecretSettings.Builder settings =
        SecretSettings.builder()
            .mount(mount)
            .trimTrailingNewline(trim.text == null || trim.bool())
            .watch(watch.text == null || watch.bool());
    if (poll.text != null) {
      try {
        settings.pollInterval(DurationText.parse(poll.text));
      } catch (IllegalArgumentException e) {
        throw poll.invalid(e.getMessage());
      }
    }
    if (max.text != null) {
      long bytes;
      try {
        bytes = Long.parseLong(max.text);
      } catch (NumberFormatException e) {
        throw max.invalid("'" + max.text + "' is not a number of bytes");
      }
      try {
        settings.maxSecretBytes(bytes);
      } catch (IllegalArgumentException e) {
        throw max.invalid(e.getMessage());
      }
    }
    settings.maxSecretBytesSetting(max.name);
    return new SecretsConfigDataResource(PREFIX + value.trim(), settings.build());
  }

  /** One setting's text, from the import's option or else the property, and how to name it. */
  private record Setting(String text, String name) {

    boolean bool() {
      if (text.equalsIgnoreCase("true")) {
        return true;
      }
      if (text.equalsIgnoreCase("false")) {
        return false;
      }
      throw invalid("must be true or false: " + text);
    }

    IllegalArgumentException invalid(String problem) {
      return new IllegalArgumentException(name + ": " + problem);
    }
  }

  private static Setting setting(
      Map<String, String> perImport, String option, Binder binder, String property, String where) {
    String text = perImport.get(option);
    if (text != null) {
      return new Setting(text, "the import option " + option + where);
    }
    String bound = binder.bind(property, String.class).map(String::trim).orElse(null);
    return new Setting(bound == null || bound.isEmpty() ? null : bound, property);
  }
}
