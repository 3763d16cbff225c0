package io.secretsdk.microprofile;

import io.secretsdk.DurationText;
import io.secretsdk.SecretSettings;
import io.secretsdk.SecretStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * What the {@link SecretsConfigSourceProvider} reads from system properties and environment
 * variables (a config source cannot read MicroProfile Config itself), turned into the core's {@link
 * SecretSettings} plus the source's ordinal. Each key is looked up as a system property first, then
 * as the environment variable spelled the MicroProfile way ({@code secretsdk.mounts} becomes {@code
 * SECRETSDK_MOUNTS}):
 *
 * <ul>
 *   <li>{@code secretsdk.mounts}: comma-separated entries {@code path}, {@code path=prefix} or
 *       {@code optional:path[=prefix]}, each optionally followed by {@code [json=expand]} ({@code
 *       /etc/secrets/app=app[json=expand]}); a prefix without a trailing dot gets one ({@code db}
 *       and {@code db.} both give {@code db.password});
 *   <li>{@code secretsdk.ordinal}: the source's ordinal, default {@value #DEFAULT_ORDINAL};
 *   <li>{@code secretsdk.trim-trailing-newline}: drop one trailing line break from single-line
 *       values, default {@code true};
 *   <li>{@code secretsdk.max-secret-bytes}: the largest file accepted, default 1 MiB;
 *   <li>{@code secretsdk.watch}: watch the mounts with file-system events, default {@code true};
 *   <li>{@code secretsdk.poll-interval}: how often to check for changes events missed, in the
 *       grammar of {@link DurationText} ({@code 5s}, {@code PT5S}, {@code 500ms}; a bare number is
 *       milliseconds); default 5 s when watching, none otherwise; {@code 0} turns polling off.
 * </ul>
 *
 * <p>A key that is not set (or blank) means the default; there is no other spelling of it.
 * Immutable and thread-safe; equal configurations share one store per class loader.
 */
final class SecretsConfiguration {

  /**
   * Above {@code microprofile-config.properties} (100), below environment (300) and system
   * properties (400).
   */
  static final int DEFAULT_ORDINAL = 275;

  static final String MOUNTS = "secretsdk.mounts";
  static final String ORDINAL = "secretsdk.ordinal";
  static final String TRIM_TRAILING_NEWLINE = "secretsdk.trim-trailing-newline";
  static final String MAX_SECRET_BYTES = "secretsdk.max-secret-bytes";
  static final String WATCH = "secretsdk.watch";
  static final String POLL_INTERVAL = "secretsdk.poll-interval";

  private static final String OPTIONAL = "optional:";
  private static final String JSON_EXPAND = "[json=expand]";

  private final SecretSettings settings;
  private final int ordinal;

  private SecretsConfiguration(SecretSettings settings, int ordinal) {
    this.settings = settings;
    this.ordinal = ordinal;
  }

  /** Reads the JVM's system properties and environment; {@code null} when no mounts are set. */
  static SecretsConfiguration fromSystem() {
    return from(System::getProperty, System::getenv);
  }

  /**
   * Reads the configuration from the given lookups; {@code null} when {@code secretsdk.mounts} is
   * set in neither.
   *
   * @throws IllegalArgumentException naming the key and the bad value
   */
  static SecretsConfiguration from(
      UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String mountList = lookup(MOUNTS, systemProperties, environment);
    if (mountList == null) {
      return null;
    }
    SecretSettings.Builder settings = SecretSettings.builder();
    parseMounts(mountList).forEach(settings::mount);
    int ordinal = DEFAULT_ORDINAL;
    String ordinalText = lookup(ORDINAL, systemProperties, environment);
    if (ordinalText != null) {
      try {
        ordinal = Integer.parseInt(ordinalText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ORDINAL + " must be an integer: " + ordinalText);
      }
    }
    settings.trimTrailingNewline(flag(TRIM_TRAILING_NEWLINE, true, systemProperties, environment));
    settings.watch(flag(WATCH, true, systemProperties, environment));
    String pollText = lookup(POLL_INTERVAL, systemProperties, environment);
    if (pollText != null) {
      try {
        settings.pollInterval(DurationText.parse(pollText));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(POLL_INTERVAL + ": " + e.getMessage(), e);
      }
    }
    String maxText = lookup(MAX_SECRET_BYTES, systemProperties, environment);
    if (maxText != null) {
      long maxBytes;
      try {
        maxBytes = Long.parseLong(maxText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            MAX_SECRET_BYTES + " must be a number of bytes: " + maxText);
      }
      if (maxBytes <= 0) {
        throw new IllegalArgumentException(MAX_SECRET_BYTES + " must be positive: " + maxText);
      }
      try {
        settings.maxSecretBytes(maxBytes);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(MAX_SECRET_BYTES + ": " + e.getMessage(), e);
      }
    }
    settings.maxSecretBytesSetting(MAX_SECRET_BYTES);
    return new SecretsConfiguration(settings.build(), ordinal);
  }

  private static boolean flag(
      String key,
      boolean fallback,
      UnaryOperator<String> systemProperties,
      UnaryOperator<String> environment) {
    String text = lookup(key, systemProperties, environment);
    if (text == null) {
      return fallback;
    }
    String t = text.toLowerCase(Locale.ROOT);
    if (!t.equals("true") && !t.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false: " + text);
    }
    return t.equals("true");
  }

  /** The environment variable for a key, spelled as MicroProfile Config spells it. */
  static String environmentName(String key) {
    StringBuilder sb = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      sb.append(SecretNameMapping.canonical(c));
    }
    return sb.toString();
  }

  /** The trimmed value of a key, or {@code null} when it is unset or blank (the default). */
  private static String lookup(
      String key, UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String value = systemProperties.apply(key);
    if (value == null) {
      value = environment.apply(environmentName(key));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static List<SecretSettings.Mount> parseMounts(String list) {
    List<SecretSettings.Mount> mounts = new ArrayList<>();
    for (String raw : list.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      boolean optional = entry.startsWith(OPTIONAL);
      if (optional) {
        entry = entry.substring(OPTIONAL.length()).trim();
      }
      boolean jsonExpand = false;
      if (entry.endsWith("]")) {
        int open = entry.lastIndexOf('[');
        String options = open < 0 ? "" : entry.substring(open).replace(" ", "");
        if (!options.equalsIgnoreCase(JSON_EXPAND)) {
          throw new IllegalArgumentException(
              MOUNTS
                  + " entry '"
                  + raw.trim()
                  + "' has an unknown option; the only one is "
                  + JSON_EXPAND);
        }
        jsonExpand = true;
        entry = entry.substring(0, open).trim();
      }
      String path = entry;
      String prefix = "";
      int eq = entry.lastIndexOf('=');
      if (eq >= 0) {
        path = entry.substring(0, eq).trim();
        prefix = entry.substring(eq + 1).trim();
        if (!prefix.isEmpty() && !prefix.endsWith(".")) {
          prefix = prefix + ".";
        }
      }
      if (path.isEmpty()) {
        throw new IllegalArgumentException(
            MOUNTS + " has an entry without a path: '" + raw.trim() + "'");
      }
      try {
        mounts.add(new SecretSettings.Mount(Path.of(path), prefix, optional, jsonExpand));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(MOUNTS + " has an invalid path: '" + path + "'", e);
      }
    }
    if (mounts.isEmpty()) {
      throw new IllegalArgumentException(MOUNTS + " lists no directory: '" + list + "'");
    }
    return mounts;
  }

  /** The core settings of the store. */
  SecretSettings settings() {
    return settings;
  }

  List<SecretSettings.Mount> mounts() {
    return settings.mounts();
  }

  int ordinal() {
    return ordinal;
  }

  boolean trimTrailingNewline() {
    return settings.trimTrailingNewline();
  }

  boolean watch() {
    return settings.watch();
  }

  /** The poll interval, resolved: {@link java.time.Duration#ZERO} for none. */
  Duration pollInterval() {
    return settings.pollInterval();
  }

  /**
   * The expansion the mounts ask for with {@code [json=expand]}, or {@code null} when none does.
   *
   * @throws IllegalStateException when expansion is asked for but {@code secretsdk-json} or Jackson
   *     2 databind is not on the class path
   */
  PropertyExpansion expansion() {
    List<SecretSettings.Mount> expanded =
        mounts().stream().filter(SecretSettings.Mount::jsonExpand).toList();
    if (expanded.isEmpty()) {
      return null;
    }
    SecretSettings.Mount first = expanded.get(0);
    for (String needed :
        new String[] {
          "com.fasterxml.jackson.databind.ObjectMapper", "io.secretsdk.json.JsonSecrets"
        }) {
      try {
        Class.forName(needed, false, SecretsConfiguration.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(
            MOUNTS
                + " entry '"
                + first.root()
                + (first.prefix().isEmpty() ? "" : "=" + first.prefix())
                + JSON_EXPAND
                + "' asks for JSON expansion, which needs io.secretsdk:secretsdk-json and Jackson 2"
                + " databind (com.fasterxml.jackson.core:jackson-databind) on the class path, and "
                + needed
                + " is missing: add secretsdk-json to the application, or remove "
                + JSON_EXPAND);
      }
    }
    return JsonExpansion.over(expanded);
  }

  /** Builds and starts the store this configuration describes. */
  SecretStore buildStore() {
    return SecretStore.builder().settings(settings).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsConfiguration other
        && settings.equals(other.settings)
        && ordinal == other.ordinal;
  }

  @Override
  public int hashCode() {
    return settings.hashCode() * 31 + ordinal;
  }

  @Override
  public String toString() {
    return "SecretsConfiguration[ordinal=" + ordinal + ", " + settings + "]";
  }
}
