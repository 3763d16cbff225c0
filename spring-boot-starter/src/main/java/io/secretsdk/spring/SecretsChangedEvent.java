package io.secretsdk.spring;

import io.secretsdk.SecretStore;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.springframework.context.ApplicationEvent;

/**
 * Published in the application context when an imported secrets directory changed: which property
 * names were added, removed or changed, never their values. Published on the store's notification
 * thread, after the new values are visible through the {@code Environment}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretsChangedEvent extends ApplicationEvent {

  private static final long serialVersionUID = 1L;

  private final String location;
  private final SortedSet<String> names;
  private final long revision;

  /** An event for a change of {@code store}, imported from {@code location}. */
  public SecretsChangedEvent(SecretStore store, String location, Set<String> names, long revision) {
    super(store);
    this.location = location;
    this.names = Collections.unmodifiableSortedSet(new TreeSet<>(names));
    this.revision = revision;
  }

  /**
   * The imported location as written, without {@code optional:}, for example {@code
   * secrets:/etc/db/}.
   */
  public String getLocation() {
    return location;
  }

  /** The property names that were added, removed or changed, sorted. */
  public Set<String> getNames() {
    return names;
  }

  /** The store's snapshot revision after the change. */
  public long getRevision() {
    return revision;
  }

  /** The store that changed. */
  public SecretStore getStore() {
    return (SecretStore) getSource();
  }

  @Override
  public String toString() {
    return "SecretsChangedEvent[location="
        + location
        + ", revision="
        + revision
        + ", names="
        + names
        + "]";
  }
}
