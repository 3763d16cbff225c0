package io.secretsdk;

import java.util.Collections;
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

  SecretChangeEvent(
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
    return "SecretChangeEvent[revision "
        + previous.revision()
        + " -> "
        + current.revision()
        + ", added="
        + added
        + ", removed="
        + removed
        + ", changed="
        + changed
        + "]";
  }
}
