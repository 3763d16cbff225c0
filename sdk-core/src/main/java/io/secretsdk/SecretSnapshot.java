package io.secretsdk;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One consistent view of every secret a store serves: each mounted volume in it was read as a
 * single generation, so a username and password that were rotated together are either both old or
 * both new.
 *
 * <p>Immutable and thread-safe. Take a snapshot once and read every related value from it.
 */
public final class SecretSnapshot {

  private final Map<String, Secret> secrets;
  private final long revision;
  private final Instant loadedAt;
  // Sorted on first use: most snapshots are only ever looked up by name, and a sorted copy of the
  // names per snapshot was a tree entry per key. A benign race may sort twice.
  private volatile Set<String> names;

  /**
   * @param secrets an immutable map ({@link Map#copyOf} or {@link Map#of}), kept as it is: the
   *     store shares one source's map with its snapshot instead of copying it
   */
  SecretSnapshot(Map<String, Secret> secrets, long revision, Instant loadedAt) {
    this.secrets = secrets;
    this.revision = revision;
    this.loadedAt = loadedAt;
  }

  static SecretSnapshot empty(Instant at) {
    return new SecretSnapshot(Map.of(), 0, at);
  }

  /** Every name in this snapshot, sorted. */
  public Set<String> names() {
    Set<String> sorted = names;
    if (sorted == null) {
      sorted = Collections.unmodifiableSet(new TreeSet<>(secrets.keySet()));
      names = sorted;
    }
    return sorted;
  }

  /** The secret with this name, if this snapshot has it. */
  public Optional<Secret> get(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  /**
   * The secret with this name, or {@code null}: the allocation-free lookup that framework
   * integrations use on their hot path.
   */
  public Secret find(String name) {
    return secrets.get(name);
  }

  /** Whether this snapshot has the name. */
  public boolean contains(String name) {
    return secrets.containsKey(name);
  }

  /** How many secrets this snapshot has. */
  public int size() {
    return secrets.size();
  }

  /**
   * A number that increases every time the store publishes a snapshot whose names, values or
   * origins differ from the previous one; {@code 1} for the first snapshot of a store.
   */
  public long revision() {
    return revision;
  }

  /** When this snapshot was published. */
  public Instant loadedAt() {
    return loadedAt;
  }

  Map<String, Secret> asMap() {
    return secrets;
  }

  /** Revision, time and names; never values. */
  @Override
  public String toString() {
    return "SecretSnapshot[revision="
        + revision
        + ", loadedAt="
        + loadedAt
        + ", names="
        + names()
        + "]";
  }
}
