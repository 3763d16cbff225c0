package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretOrigin;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * A live property source over a {@link SecretStore}: every lookup answers from the store's current
 * snapshot, in memory, so values and names follow rotations without a restart. Each name has the
 * file it came from as its {@link Origin}.
 *
 * <p>Values are the secret decoded as UTF-8; a secret that is not valid UTF-8 is decoded with
 * replacement characters, as {@code configtree:} does. Use the {@code SecretStore} bean for binary
 * secrets.
 *
 * <p>Thread-safe.
 */
public final class SecretsPropertySource extends EnumerablePropertySource<SecretStore>
    implements OriginLookup<String> {

  private static final TextResourceOrigin.Location START_OF_FILE =
      new TextResourceOrigin.Location(0, 0);

  private volatile Names names;
  // The json=expand option (JsonExpandedProperties), or null.
  private final JsonExpandedProperties json;

  /** A property source named {@code name} answering from {@code store}. */
  public SecretsPropertySource(String name, SecretStore store) {
    this(name, store, null);
  }

  /** A property source that expands JSON-object values when {@code json} is not {@code null}. */
  SecretsPropertySource(String name, SecretStore store, JsonExpandedProperties json) {
    super(name, store);
    this.json = json;
  }

  /**
   * The names in the current snapshot, sorted. The array is shared between calls that see the same
   * snapshot; callers must not modify it.
   */
  @Override
  public String[] getPropertyNames() {
    SecretSnapshot snapshot = getSource().snapshot();
    if (json != null) {
      return json.view(snapshot).names();
    }
    Names current = names;
    if (current == null || current.snapshot != snapshot) {
      current = new Names(snapshot, snapshot.names().toArray(new String[0]));
      names = current;
    }
    return current.array;
  }

  /** The value in the current snapshot, or {@code null}. */
  @Override
  public Object getProperty(String name) {
    if (json != null) {
      return json.view(getSource().snapshot()).value(name);
    }
    Secret secret = getSource().snapshot().find(name);
    return secret == null ? null : text(secret);
  }

  /** Whether the current snapshot has the name. */
  @Override
  public boolean containsProperty(String name) {
    if (json != null) {
      return json.view(getSource().snapshot()).contains(name);
    }
    return getSource().snapshot().contains(name);
  }

  /** The file the value came from, or {@code null} when the name is unknown. */
  @Override
  public Origin getOrigin(String name) {
    if (json != null) {
      return JsonExpandedOrigins.origin(json.view(getSource().snapshot()), name);
    }
    Secret secret = getSource().snapshot().find(name);
    if (secret != null && secret.origin() instanceof SecretOrigin.File file) {
      return new TextResourceOrigin(new FileSystemResource(file.path()), START_OF_FILE);
    }
    return null;
  }

  private static String text(Secret secret) {
    return secret.isText() ? secret.asString() : new String(secret.bytes(), StandardCharsets.UTF_8);
  }

  private record Names(SecretSnapshot snapshot, String[] array) {}
}
