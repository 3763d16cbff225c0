package io.secretsdk;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed between two snapshots a store published one after the other. Immutable and
 * thread-safe; its {@link #toString()} names keys, never values.
 */
public final class SecretChangeEvent {

  private final Set<String> added;
  private final Set<String> removed;
  private final Set<String> changed;
  private final Set<String> names;
  private final SecretSnapshot previous;
  private final SecretSnapshot current;

  /**
   * What changed from {@code previous} to {@code current}, or {@code null} when they hold the same
   * names, values and origins (then {@code current} need not be published).
   */
  static SecretChangeEvent between(SecretSnapshot previous, SecretSnapshot current) {
    Map<String, Secret> before = previous.asMap();
    Map<String, Secret> after = current.asMap();
    Set<String> added = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    Set<String> changed = new TreeSet<>();
    for (Map.Entry<String, Secret> e : after.entrySet()) {
      Secret old = before.get(e.getKey());
      if (old == null) {
        added.add(e.getKey());
      } else if (!old.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        removed.add(name);
      }
    }
    if (added.isEmpty() && removed.isEmpty() && changed.isEmpty()) {
      return null;
    }
    return new SecretChangeEvent(added, removed, changed, previous, current);
  }

  private SecretChangeEvent(
      Set<String> added,
      Set<String> removed,
      Set<String> changed,
      SecretSnapshot previous,
      SecretSnapshot current) {
    this.added = Collections.unmodifiableSet(new TreeSet<>(added));
    this.removed = Collections.unmodifiableSet(new TreeSet<>(removed));
    this.changed = Collections.unmodifiableSet(new TreeSet<>(changed));
    TreeSet<String> all = new TreeSet<>(added);
    all.addAll(removed);
    all.addAll(changed);
    this.names = Collections.unmodifiableSet(all);
    this.previous = previous;
    this.current = current;
  }

  /** Names present now that were absent before. */
  public Set<String> added() {
    return added;
  }

  /** Names that were present before and are absent now. */
  public Set<String> removed() {
    return removed;
  }

  /** Names present in both snapshots whose value or origin differs. */
  public Set<String> changed() {
    return changed;
  }

  /** Every name that was added, removed or changed, sorted. */
  public Set<String> names() {
    return names;
  }

  /** The snapshot that was replaced. */
  public SecretSnapshot previous() {
    return previous;
  }

  /** The snapshot that replaced it. */
  public SecretSnapshot current() {
    return current;
  }

  @Override
  public String toString() {
    return ControlCharacters.escape(
        "SecretChangeEvent[revision "
            + previous.revision()
            + " -> "
            + current.revision()
            + ", added="
            + added
            + ", removed="
            + removed
            + ", changed="
            + changed
            + "]");
  }
}
