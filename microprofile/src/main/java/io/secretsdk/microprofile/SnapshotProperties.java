package io.secretsdk.microprofile;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretSnapshot;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One snapshot seen as config properties: every secret that is valid UTF-8 text, by name and by
 * {@link SecretNameMapping canonical name}. Built once per published snapshot, so lookups do no
 * decoding, no I/O and no allocation. Secrets that are not text (keystores, DER keys) are left out
 * and logged once per snapshot, by name, never by value. Secrets of {@code [json=expand]} mounts
 * are replaced by their expansion here, so one snapshot gives one consistent set of expanded names.
 * Immutable and thread-safe.
 */
final class SnapshotProperties {

  private static final System.Logger LOG = System.getLogger(SecretsConfigSource.class.getName());

  private final SecretSnapshot snapshot;
  private final Map<String, String> byName;
  private final Map<String, String> properties;
  private final Set<String> names;
  private final Set<String> binaryNames;
  private final SecretNameMapping mapping;
  private final List<String> problems;

  SnapshotProperties(SecretSnapshot snapshot, String sourceName, PropertyExpansion expansion) {
    this.snapshot = snapshot;
    TreeMap<String, String> text = new TreeMap<>();
    TreeSet<String> binary = new TreeSet<>();
    for (String name : snapshot.names()) {
      Secret secret = snapshot.find(name);
      try {
        text.put(name, secret.asString());
      } catch (SecretException e) {
        binary.add(name);
        LOG.log(
            Level.WARNING,
            sourceName
                + ": "
                + e.getMessage()
                + "; it is not served as a config property, because config values are text"
                + " (inject the SecretStore bean to read it)");
      }
    }
    if (expansion != null) {
      expansion.expand(snapshot, text);
      this.problems = expansion.problems();
    } else {
      this.problems = List.of();
    }
    this.byName = new HashMap<>(text);
    this.properties = Collections.unmodifiableMap(text);
    this.names = Collections.unmodifiableSet(text.navigableKeySet());
    this.binaryNames = Collections.unmodifiableSet(binary);
    this.mapping = new SecretNameMapping(text);
  }

  SecretSnapshot snapshot() {
    return snapshot;
  }

  /** The exact name's value, else the canonical match's, else {@code null}. */
  String value(String name) {
    String value = byName.get(name);
    return value != null ? value : mapping.find(name);
  }

  /** The secret name that {@code name} resolves to, or {@code null}. */
  String resolve(String name) {
    return byName.containsKey(name) ? name : mapping.nameFor(name);
  }

  /** Every text secret, sorted by name. */
  Map<String, String> properties() {
    return properties;
  }

  Set<String> names() {
    return names;
  }

  /** What the expansion could not serve from this snapshot's content; never values. */
  List<String> problems() {
    return problems;
  }

  /** Names that are not valid UTF-8 and therefore are not served. */
  Set<String> binaryNames() {
    return binaryNames;
  }
}
