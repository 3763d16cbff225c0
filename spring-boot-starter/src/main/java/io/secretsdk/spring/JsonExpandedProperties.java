package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code json=expand} import option: a secret whose value is a JSON object is served as one
 * property per member ({@code db} = {@code {"username":"u","pool":{"max":5}}} becomes {@code
 * db.username} and {@code db.pool.max}), computed from the same snapshot as every other name, so
 * one generation is never mixed with another.
 *
 * <p>Rules: arrays become indexed names ({@code db.hosts[0]}); numbers and booleans are served as
 * their JSON text; {@code null} members are left out; a value that is valid JSON but not an object,
 * or not JSON, stays a plain value; a name served by a file of its own wins over an expanded one. A
 * value that starts with {@code {} but does not parse keeps the last good document of that secret
 * and is reported (key and position, never content) in {@link #errors()} and the log; a value that
 * never parsed (say a {@code {bcrypt}} hash) stays a plain value.
 *
 * <p>Each distinct content of a secret is parsed once: a new snapshot reuses the documents of
 * secrets whose content did not change, and lookups answer from the view of the current snapshot
 * without allocating. Thread-safe.
 */
final class JsonExpandedProperties {

  private static final System.Logger LOG = System.getLogger(JsonExpandedProperties.class.getName());

  private final JsonFlattener flattener;
  private final AtomicLong parses = new AtomicLong();
  private volatile View view;
  // Guarded by this: per secret name, the last content seen and what it expanded to.
  private Map<String, Parsed> parsed = new HashMap<>();

  JsonExpandedProperties(JsonFlattener flattener) {
    this.flattener = flattener;
  }

  /** The view of {@code snapshot}: built once per snapshot, then shared by every lookup. */
  View view(SecretSnapshot snapshot) {
    View current = view;
    if (current != null && current.snapshot == snapshot) {
      return current;
    }
    synchronized (this) {
      current = view;
      if (current == null || current.snapshot != snapshot) {
        current = build(snapshot);
        view = current;
      }
      return current;
    }
  }

  /** Current parse errors by secret name; messages name the key and position, never content. */
  Map<String, String> errors() {
    View current = view;
    return current == null ? Map.of() : current.errors;
  }

  /** How many documents were parsed so far: one per distinct content. */
  long parses() {
    return parses.get();
  }

  /** Which JSON parser is in use: {@code jackson3} or {@code spring-boot}. */
  String parser() {
    return flattener.id();
  }

  private View build(SecretSnapshot snapshot) {
    Map<String, Parsed> next = new HashMap<>();
    Map<String, Expanded> expanded = new LinkedHashMap<>();
    Set<String> hidden = new HashSet<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (String name : snapshot.names()) {
      Secret secret = snapshot.find(name);
      if (secret == null || !secret.isText() || !startsLikeObject(secret.asString())) {
        continue;
      }
      Parsed result = parse(name, secret, parsed.get(name));
      next.put(name, result);
      if (result.error != null) {
        errors.put(name, result.error);
      }
      if (result.fields != null) {
        hidden.add(name);
        result.fields.forEach(
            (member, field) -> expanded.put(name + "." + member, new Expanded(field, secret)));
      }
    }
    parsed = next;
    // A file of its own wins over a member of the same name.
    expanded.keySet().removeIf(snapshot::contains);
    TreeSet<String> names = new TreeSet<>(snapshot.names());
    names.removeAll(hidden);
    names.addAll(expanded.keySet());
    return new View(
        snapshot,
        Collections.unmodifiableMap(expanded),
        Collections.unmodifiableSet(hidden),
        names.toArray(new String[0]),
        Collections.unmodifiableMap(errors));
  }

  private Parsed parse(String name, Secret secret, Parsed previous) {
    if (previous != null && (previous.secret == secret || previous.secret.equals(secret))) {
      return previous;
    }
    parses.incrementAndGet();
    try {
      Map<String, JsonField> fields = flattener.flatten(name, secret.asString());
      return new Parsed(secret, fields, fields, null);
    } catch (JsonDocumentException e) {
      Map<String, JsonField> lastGood = previous == null ? null : previous.lastGood;
      String message =
          e.getMessage()
              + " ("
              + secret.origin()
              + ")"
              + (lastGood == null
                  ? "; served as a plain value"
                  : "; the last good document is still served until a valid one is written");
      if (lastGood != null) {
        LOG.log(System.Logger.Level.WARNING, message);
      } else {
        LOG.log(System.Logger.Level.DEBUG, message);
      }
      return new Parsed(secret, lastGood, lastGood, lastGood == null ? null : message);
    }
  }

  private static boolean startsLikeObject(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c == '{';
      }
    }
    return false;
  }

  /** What one content of a secret expanded to; {@code fields} is {@code null} for a plain value. */
  private record Parsed(
      Secret secret,
      Map<String, JsonField> fields,
      Map<String, JsonField> lastGood,
      String error) {}

  /** One expanded property: the member and the secret (file) it came from. */
  record Expanded(JsonField field, Secret source) {}

  /** The properties of one snapshot. Immutable and thread-safe. */
  static final class View {

    private final SecretSnapshot snapshot;
    private final Map<String, Expanded> expanded;
    private final Set<String> hidden;
    private final String[] names;
    private final Map<String, String> errors;

    private View(
        SecretSnapshot snapshot,
        Map<String, Expanded> expanded,
        Set<String> hidden,
        String[] names,
        Map<String, String> errors) {
      this.snapshot = snapshot;
      this.expanded = expanded;
      this.hidden = hidden;
      this.names = names;
      this.errors = errors;
    }

    /** Every name, sorted; shared, callers must not modify it. */
    String[] names() {
      return names;
    }

    /** The expanded member of this name, or {@code null}. */
    Expanded expanded(String name) {
      return expanded.get(name);
    }

    /** The plain secret of this name, or {@code null} when absent or expanded. */
    Secret plain(String name) {
      Secret secret = snapshot.find(name);
      return secret == null || hidden.contains(name) ? null : secret;
    }

    /** The value of a name, or {@code null}. */
    String value(String name) {
      Expanded member = expanded.get(name);
      if (member != null) {
        return member.field().value();
      }
      Secret secret = plain(name);
      if (secret == null) {
        return null;
      }
      return secret.isText()
          ? secret.asString()
          : new String(secret.bytes(), StandardCharsets.UTF_8);
    }

    boolean contains(String name) {
      return expanded.containsKey(name) || (snapshot.contains(name) && !hidden.contains(name));
    }
  }
}
