package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreBuilder;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What the {@link SecretsConfigSourceProvider} reads from system properties and environment
 * variables (a config source cannot read MicroProfile Config itself). Each key is looked up as a
 * system property first, then as the environment variable spelled the MicroProfile way ({@code
 * secretsdk.mounts} becomes {@code SECRETSDK_MOUNTS}):
 *
 * <ul>
 *   <li>{@code secretsdk.mounts}: comma-separated entries {@code path}, {@code path=prefix} or
 *       {@code optional:path[=prefix]}, each optionally followed by {@code [json=expand]}; a
 *       prefix without a trailing dot gets one ({@code db} and {@code db.} both give {@code
 *       db.password});
 *   <li>{@code secretsdk.ordinal}: the source's ordinal, default {@value #DEFAULT_ORDINAL};
 *   <li>{@code secretsdk.trim-trailing-newline}: drop one trailing line break from single-line
 *       values, default {@code true};
 *   <li>{@code secretsdk.max-secret-bytes}: the largest file accepted, default 1 MiB;
 *   <li>{@code secretsdk.watch}: watch the mounts with file-system events, default {@code true};
 *   <li>{@code secretsdk.poll-interval}: how often to check for changes events missed, as an
 *       ISO-8601 duration ({@code PT5S}) or milliseconds ({@code 5000}); default 5 s when
 *       watching, none otherwise; {@code 0} turns polling off.
 * </ul>
 *
 * <p>Immutable and thread-safe; equal configurations share one store per class loader.
 */
final class SecretsConfiguration {

  /** Above {@code microprofile-config.properties} (100), below environment (300) and system properties (400). */
  static final int DEFAULT_ORDINAL = 275;

  static final String MOUNTS = "secretsdk.mounts";
  static final String ORDINAL = "secretsdk.ordinal";
  static final String TRIM_TRAILING_NEWLINE = "secretsdk.trim-trailing-newline";
  static final String MAX_SECRET_BYTES = "secretsdk.max-secret-bytes";
  static final String WATCH = "secretsdk.watch";
  static final String POLL_INTERVAL = "secretsdk.poll-interval";

  private static final String OPTIONAL = "optional:";

  /**
   * One mounted directory: where, the name prefix, whether it may be missing, and whether JSON
   * objects in it are expanded into dotted properties ({@code [json=expand]}).
   */
  record Mount(Path root, String prefix, boolean optional, boolean jsonExpand) {
    Mount(Path root, String prefix, boolean optional) {
      this(root, prefix, optional, false);
    }
  }

  private final List<Mount> mounts;
  private final int ordinal;
  private final boolean trimTrailingNewline;
  private final long maxSecretBytes;
  private final boolean watch;
  private final Duration pollInterval;

  private SecretsConfiguration(
      List<Mount> mounts, int ordinal, boolean trim, long maxSecretBytes, boolean watch, Duration pollInterval) {
    this.mounts = List.copyOf(mounts);
    this.ordinal = ordinal;
    this.trimTrailingNewline = trim;
    this.maxSecretBytes = maxSecretBytes;
    this.watch = watch;
    this.pollInterval = pollInterval;
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
  static SecretsConfiguration from(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String mountList = lookup(MOUNTS, systemProperties, environment);
    if (mountList == null || mountList.isBlank()) {
      return null;
    }
    List<Mount> mounts = parseMounts(mountList);
    int ordinal = DEFAULT_ORDINAL;
    String ordinalText = lookup(ORDINAL, systemProperties, environment);
    if (ordinalText != null && !ordinalText.isBlank()) {
      try {
        ordinal = Integer.parseInt(ordinalText.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ORDINAL + " must be an integer: " + ordinalText);
      }
    }
    boolean trim = flag(TRIM_TRAILING_NEWLINE, true, systemProperties, environment);
    boolean watch = flag(WATCH, true, systemProperties, environment);
    Duration pollInterval = null;
    String pollText = lookup(POLL_INTERVAL, systemProperties, environment);
    if (pollText != null && !pollText.isBlank()) {
      pollInterval = parseInterval(pollText.trim());
    }
    long maxBytes = -1;
    String maxText = lookup(MAX_SECRET_BYTES, systemProperties, environment);
    if (maxText != null && !maxText.isBlank()) {
      try {
        maxBytes = Long.parseLong(maxText.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(MAX_SECRET_BYTES + " must be a number of bytes: " + maxText);
      }
      if (maxBytes <= 0) {
        throw new IllegalArgumentException(MAX_SECRET_BYTES + " must be positive: " + maxText);
      }
    }
    return new SecretsConfiguration(mounts, ordinal, trim, maxBytes, watch, pollInterval);
  }

  private static boolean flag(
      String key, boolean fallback, UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String text = lookup(key, systemProperties, environment);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (!t.equals("true") && !t.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false: " + text);
    }
    return t.equals("true");
  }

  private static Duration parseInterval(String text) {
    Duration interval;
    try {
      interval =
          text.startsWith("P") || text.startsWith("p")
              ? Duration.parse(text)
              : Duration.ofMillis(Long.parseLong(text));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          POLL_INTERVAL + " must be an ISO-8601 duration (PT5S) or milliseconds (5000): " + text);
    }
    if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 10)) {
      throw new IllegalArgumentException(POLL_INTERVAL + " must be 0 (off) or at least 10 ms: " + text);
    }
    return interval;
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

  private static String lookup(String key, UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    String value = systemProperties.apply(key);
    return value != null ? value : environment.apply(environmentName(key));
  }

  private static List<Mount> parseMounts(String list) {
    List<Mount> mounts = new ArrayList<>();
    for (String raw : list.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      boolean optional = entry.startsWith(OPTIONAL);
      if (optional) {
        entry = entry.substring(OPTIONAL.length()).trim();
      }
      // microprofile helper (issue 11): the entry's options, /etc/secrets/app=app[json=expand].
      boolean jsonExpand = false;
      int bracket = entry.lastIndexOf('[');
      if (entry.endsWith("]") && bracket >= 0) {
        jsonExpand = MountOptions.jsonExpand(entry.substring(bracket + 1, entry.length() - 1), raw.trim());
        entry = entry.substring(0, bracket).trim();
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
        throw new IllegalArgumentException(MOUNTS + " has an entry without a path: '" + raw.trim() + "'");
      }
      try {
        mounts.add(new Mount(Path.of(path).toAbsolutePath().normalize(), prefix, optional, jsonExpand));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(MOUNTS + " has an invalid path: '" + path + "'", e);
      }
    }
    if (mounts.isEmpty()) {
      throw new IllegalArgumentException(MOUNTS + " lists no directory: '" + list + "'");
    }
    return mounts;
  }

  List<Mount> mounts() {
    return mounts;
  }

  int ordinal() {
    return ordinal;
  }

  boolean trimTrailingNewline() {
    return trimTrailingNewline;
  }

  boolean watch() {
    return watch;
  }

  /** The poll interval, or {@code null} for the core's default. */
  Duration pollInterval() {
    return pollInterval;
  }

  /**
   * The expansion the mounts ask for with {@code [json=expand]}, or {@code null} when none does.
   *
   * @throws IllegalStateException when expansion is asked for but {@code secretsdk-json} or
   *     Jackson 2 databind is not on the class path
   */
  PropertyExpansion expansion() {
    List<Mount> expanded = mounts.stream().filter(Mount::jsonExpand).toList();
    if (expanded.isEmpty()) {
      return null;
    }
    Mount first = expanded.get(0);
    for (String needed : new String[] {"com.fasterxml.jackson.databind.ObjectMapper", "io.secretsdk.json.JsonSecrets"}) {
      try {
        Class.forName(needed, false, SecretsConfiguration.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(
            MOUNTS
                + " entry '"
                + first.root()
                + (first.prefix().isEmpty() ? "" : "=" + first.prefix())
                + "[json=expand]' asks for JSON expansion, which needs io.secretsdk:secretsdk-json and Jackson 2"
                + " databind (com.fasterxml.jackson.core:jackson-databind) on the class path, and "
                + needed
                + " is missing: add secretsdk-json to the application, or remove [json=expand]");
      }
    }
    return JsonExpansion.over(expanded);
  }

  /** Builds and starts the store this configuration describes. */
  SecretStore buildStore() {
    SecretStoreBuilder builder = SecretStore.builder().trimTrailingNewline(trimTrailingNewline).watch(watch);
    if (pollInterval != null) {
      builder.pollInterval(pollInterval);
    }
    for (Mount mount : mounts) {
      if (mount.optional()) {
        builder.optionalMount(mount.root(), mount.prefix());
      } else {
        builder.mount(mount.root(), mount.prefix());
      }
    }
    if (maxSecretBytes > 0) {
      builder.maxSecretBytes(maxSecretBytes);
    }
    return builder.build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsConfiguration other
        && mounts.equals(other.mounts)
        && ordinal == other.ordinal
        && trimTrailingNewline == other.trimTrailingNewline
        && maxSecretBytes == other.maxSecretBytes
        && watch == other.watch
        && Objects.equals(pollInterval, other.pollInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mounts, ordinal, trimTrailingNewline, maxSecretBytes, watch, pollInterval);
  }

  @Override
  public String toString() {
    return "SecretsConfiguration[mounts="
        + mounts
        + ", ordinal="
        + ordinal
        + ", trimTrailingNewline="
        + trimTrailingNewline
        + ", maxSecretBytes="
        + (maxSecretBytes > 0 ? Long.toString(maxSecretBytes) : "default")
        + ", watch="
        + watch
        + ", pollInterval="
        + (pollInterval != null ? pollInterval : "default")
        + "]";
  }
}
