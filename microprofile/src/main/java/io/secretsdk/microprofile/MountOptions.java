package io.secretsdk.microprofile;

import java.util.Locale;

/**
 * The bracketed options of a {@code secretsdk.mounts} entry, {@code /etc/secrets/app=app[json=expand]}:
 * {@code ;}-separated {@code key=value} pairs, the same spelling as the Spring starter's import
 * options. Today the one option is {@code json}, {@code expand} or {@code plain} (the default).
 * Stateless.
 */
final class MountOptions {

  static final String JSON = "json";

  private MountOptions() {}

  /**
   * Whether the options ask for JSON expansion.
   *
   * @throws IllegalArgumentException naming the entry and the bad option
   */
  static boolean jsonExpand(String options, String entry) {
    boolean expand = false;
    for (String raw : options.split(";")) {
      String option = raw.trim();
      if (option.isEmpty()) {
        continue;
      }
      int eq = option.indexOf('=');
      String key = eq < 0 ? option : option.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : option.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
      if (!key.equals(JSON)) {
        throw new IllegalArgumentException(
            SecretsConfiguration.MOUNTS + " entry '" + entry + "' has an unknown option '" + option + "'; the options are json=expand and json=plain");
      }
      switch (value) {
        case "expand" -> expand = true;
        case "plain" -> expand = false;
        default -> throw new IllegalArgumentException(
            SecretsConfiguration.MOUNTS + " entry '" + entry + "' has json=" + value + "; use json=expand or json=plain");
      }
    }
    return expand;
  }
}
