package io.secretsdk.microprofile;

import io.secretsdk.SecretChangeEvent;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The CDI event fired after the store behind the secretsdk config source published a change: which
 * names were added, removed or changed, never values. Observe it with {@code void
 * onSecrets(@Observes SecretsChanged change)}; it is delivered synchronously on the store's
 * notification thread ({@code secretsdk-notify-<n>}), one change at a time, in order. Re-read what
 * you need through {@code Config} or the {@code SecretStore} bean.
 *
 * <p>Immutable and thread-safe.
 *
 * @param added names present now that were absent before, sorted
 * @param removed names that are gone, sorted
 * @param changed names whose value or origin changed, sorted
 * @param revision the revision of the snapshot that is current after the change
 */
public record SecretsChanged(
    Set<String> added, Set<String> removed, Set<String> changed, long revision) {

  /** Copies the sets into sorted, unmodifiable ones. */
  public SecretsChanged {
    added = sorted(added);
    removed = sorted(removed);
    changed = sorted(changed);
  }

  static SecretsChanged of(SecretChangeEvent event) {
    return new SecretsChanged(
        event.added(), event.removed(), event.changed(), event.current().revision());
  }

  /** Every name that was added, removed or changed, sorted. */
  public Set<String> names() {
    SortedSet<String> all = new TreeSet<>(added);
    all.addAll(removed);
    all.addAll(changed);
    return Collections.unmodifiableSortedSet(all);
  }

  private static Set<String> sorted(Set<String> names) {
    return Collections.unmodifiableSortedSet(new TreeSet<>(names));
  }
}
