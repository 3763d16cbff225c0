package io.secretsdk.microprofile;

import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.SourceHealth;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * A MicroProfile {@link ConfigSource} that answers from a {@link SecretStore}'s current snapshot on
 * every call, so {@code Config.getValue}, {@code ConfigValue} and {@code @ConfigProperty} injected
 * as {@code Provider<String>} see rotated secrets without a restart.
 *
 * <p>Lookups read memory only: the first call after a rotation indexes the new snapshot once; every
 * other call is two hash lookups with no allocation. A property name matches a secret name exactly,
 * or else when both are equal after replacing every character other than {@code [A-Za-z0-9]} with
 * {@code _} and upper-casing (so {@code db.password} finds a file {@code DB_PASSWORD} or {@code
 * db-password}, and {@code DB_PASSWORD} finds {@code db.password}). Secrets that are not valid
 * UTF-8 text are not served (they are logged by name, once per snapshot); read them from the store.
 *
 * <p>Usually registered for you by {@link SecretsConfigSourceProvider}; {@link #of(SecretStore)}
 * wraps a store you built and own. Thread-safe.
 */
public final class SecretsConfigSource implements ConfigSource {

  /**
   * The default ordinal: above {@code microprofile-config.properties} (100), below environment
   * variables (300) and system properties (400).
   */
  public static final int DEFAULT_ORDINAL = SecretsConfiguration.DEFAULT_ORDINAL;

  private final SecretStore store;
  private final int ordinal;
  private final String name;
  private final PropertyExpansion expansion;
  private final Object indexLock = new Object();
  private volatile SnapshotProperties current;

  SecretsConfigSource(SecretStore store, int ordinal) {
    this(store, ordinal, null);
  }

  SecretsConfigSource(SecretStore store, int ordinal, PropertyExpansion expansion) {
    this.store = Objects.requireNonNull(store, "store");
    this.ordinal = ordinal;
    this.expansion = expansion;
    this.name =
        "secretsdk"
            + store.health().sources().stream()
                .map(SourceHealth::source)
                .collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * A source over a store that the caller built and keeps owning (closing it is the caller's job),
   * with the {@linkplain #DEFAULT_ORDINAL default ordinal}.
   */
  public static SecretsConfigSource of(SecretStore store) {
    return new SecretsConfigSource(store, DEFAULT_ORDINAL);
  }

  /** A source over a store that the caller built and keeps owning, with the given ordinal. */
  public static SecretsConfigSource of(SecretStore store, int ordinal) {
    return new SecretsConfigSource(store, ordinal);
  }

  /** The store this source reads; its snapshot is what {@link #getValue} answers from. */
  public SecretStore store() {
    return store;
  }

  /**
   * The current value for {@code propertyName}, exact name first, then the environment-style match;
   * {@code null} if none.
   */
  @Override
  public String getValue(String propertyName) {
    return properties().value(propertyName);
  }

  /** The names of every text secret in the current snapshot, sorted; unmodifiable. */
  @Override
  public Set<String> getPropertyNames() {
    return properties().names();
  }

  /** Every text secret in the current snapshot, sorted by name; unmodifiable. */
  @Override
  public Map<String, String> getProperties() {
    return properties().properties();
  }

  @Override
  public int getOrdinal() {
    return ordinal;
  }

  /** {@code secretsdk[mount:/etc/secrets/db, ...]}. */
  @Override
  public String getName() {
    return name;
  }

  /** The secret name a property name resolves to here, or {@code null}; never a value. */
  String resolve(String propertyName) {
    return properties().resolve(propertyName);
  }

  SnapshotProperties properties() {
    SecretSnapshot snapshot = store.snapshot();
    SnapshotProperties props = current;
    if (props != null && props.snapshot() == snapshot) {
      return props;
    }
    synchronized (indexLock) {
      // Index the newest snapshot, so a slow thread never puts an older index back.
      SecretSnapshot latest = store.snapshot();
      props = current;
      if (props == null || props.snapshot() != latest) {
        props = new SnapshotProperties(latest, name, expansion);
        current = props;
      }
      return props;
    }
  }

  /**
   * Why some secrets of {@code [json=expand]} mounts are served from their last good document or
   * not at all, for the current snapshot; empty when all is well. Never values.
   */
  List<String> problems() {
    SnapshotProperties indexed = properties();
    return expansion == null ? List.of() : indexed.problems();
  }

  /** Name, ordinal and revision; never values. */
  @Override
  public String toString() {
    return "SecretsConfigSource[name="
        + name
        + ", ordinal="
        + ordinal
        + ", revision="
        + store.snapshot().revision()
        + "]";
  }
}
