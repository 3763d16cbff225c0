package io.secretsdk.microprofile;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warns, once per file, when the settings that tell the config source where the secrets are ({@code
 * secretsdk.mounts}, {@code secretsdk.ordinal}, ...) are written in {@code
 * META-INF/microprofile-config.properties} or Quarkus's {@code application.properties}: a config
 * source is part of building the {@code Config}, so it cannot read them from there, and they would
 * otherwise be ignored without a word. The keys that are read through MicroProfile Config ({@code
 * secretsdk.signer.*}, {@code secretsdk.health.*}) are fine there. Thread-safe.
 */
final class MisplacedSettings {

  private static final System.Logger LOG =
      System.getLogger(SecretsConfigSourceProvider.class.getName());
  private static final List<String> FILES =
      List.of("META-INF/microprofile-config.properties", "application.properties");
  private static final List<String> READ_THROUGH_CONFIG =
      List.of("secretsdk.signer.", "secretsdk.health.");
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private MisplacedSettings() {}

  /** Looks at the property files {@code loader} sees and warns about each one that has them. */
  static void warnIfFound(ClassLoader loader) {
    if (loader == null) {
      return;
    }
    for (String file : FILES) {
      Enumeration<URL> found;
      try {
        found = loader.getResources(file);
      } catch (IOException e) {
        continue;
      }
      for (URL url : Collections.list(found)) {
        if (WARNED.contains(url.toString())) {
          continue;
        }
        Set<String> keys = bootstrapKeys(url);
        if (!keys.isEmpty() && WARNED.add(url.toString())) {
          LOG.log(
              Level.WARNING,
              "secretsdk: "
                  + keys
                  + " in "
                  + url
                  + " is ignored: a config source cannot read the config it is part of. Set it as a system"
                  + " property (-Dsecretsdk.mounts=...) or an environment variable (SECRETSDK_MOUNTS=...) instead");
        }
      }
    }
  }

  /** The bootstrap keys a file sets, sorted; only names are ever reported, never values. */
  private static Set<String> bootstrapKeys(URL url) {
    Properties properties = new Properties();
    try (InputStream in = url.openStream()) {
      properties.load(in);
    } catch (IOException | IllegalArgumentException e) {
      return Set.of();
    }
    Set<String> keys = new TreeSet<>();
    for (String key : properties.stringPropertyNames()) {
      String k = key.trim();
      if (k.startsWith("secretsdk.") && READ_THROUGH_CONFIG.stream().noneMatch(k::startsWith)) {
        keys.add(k);
      }
    }
    return keys;
  }

  /** Forgets which files were warned about (for tests). */
  static void reset() {
    WARNED.clear();
  }
}
