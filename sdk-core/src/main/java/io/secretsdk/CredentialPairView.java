package io.secretsdk;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A username and password read together from one snapshot of a {@link SecretStore}, live: by
 * default the {@code username} and {@code password} keys of a {@code kubernetes.io/basic-auth}
 * Secret, or any two names.
 *
 * <pre>{@code
 * CredentialPairView db = CredentialPairView.of(store, "db.username", "db.password");
 * CredentialPair pair = db.current();               // never an old username with a new password
 * db.subscribe((old, now) -> pool.reconnect(now.username(), now.password()));
 * }</pre>
 *
 * <p>A generation that lacks one of the two names, or whose values are not UTF-8 text, is not
 * installed: the last good pair stays and {@link #health()} says which name is missing. Listeners
 * are called only when the pair changed, never when another key rotated. The view registers with
 * its store when created, so the store's {@code health()} includes its status until {@link
 * #close()}.
 *
 * <p>Thread-safe.
 */
public final class CredentialPairView implements SecretView<CredentialPair> {

  /** The username's name in a {@code kubernetes.io/basic-auth} Secret. */
  public static final String DEFAULT_USERNAME = "username";

  /** The password's name in a {@code kubernetes.io/basic-auth} Secret. */
  public static final String DEFAULT_PASSWORD = "password";

  private final ParsedView<CredentialPair> view;

  private CredentialPairView(SecretStore store, String username, String password) {
    List<String> names = List.of(username, password);
    this.view =
        new ParsedView<>(
            store,
            names,
            "credential pair view " + names,
            inputs -> parse(inputs, names),
            null,
            Clock.systemUTC());
  }

  /**
   * A view of {@code username} and {@code password}, the {@code kubernetes.io/basic-auth} names.
   */
  public static CredentialPairView of(SecretStore store) {
    return of(store, DEFAULT_USERNAME, DEFAULT_PASSWORD);
  }

  /**
   * A view of any two names, for example {@code db.username} and {@code db.password} of a mount
   * added with the prefix {@code db.}.
   */
  public static CredentialPairView of(SecretStore store, String usernameName, String passwordName) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(usernameName, "usernameName");
    Objects.requireNonNull(passwordName, "passwordName");
    if (usernameName.isBlank() || passwordName.isBlank()) {
      throw new IllegalArgumentException(
          "names cannot be blank: '" + usernameName + "', '" + passwordName + "'");
    }
    if (usernameName.equals(passwordName)) {
      throw new IllegalArgumentException(
          "username and password need two different names: " + usernameName);
    }
    CredentialPairView view = new CredentialPairView(store, usernameName, passwordName);
    view.view.open(view);
    return view;
  }

  private static CredentialPair parse(List<Secret> inputs, List<String> names) {
    Secret username = inputs.get(0);
    Secret password = inputs.get(1);
    for (int i = 0; i < 2; i++) {
      if (inputs.get(i) == null) {
        throw new SecretException(
            names.get(i)
                + " is missing from the store; the pair needs "
                + names.get(0)
                + " and "
                + names.get(1));
      }
      if (!inputs.get(i).isText()) {
        throw new SecretException(
            names.get(i) + " (" + inputs.get(i).origin() + ") is not valid UTF-8 text");
      }
    }
    return new CredentialPair(
        username.asString(),
        password.asString(),
        username.origin().toString(),
        password.origin().toString());
  }

  /**
   * The installed pair.
   *
   * @throws SecretException naming the missing name when no generation had both yet
   */
  @Override
  public CredentialPair current() {
    ParsedView.State<CredentialPair> state = view.resolve();
    if (state.installed() == null) {
      throw new SecretException(view.description() + " has no usable pair: " + state.problem());
    }
    return state.installed();
  }

  /** {@code UP}, {@code DEGRADED} (newest generation refused) or {@code DOWN} (no pair yet). */
  @Override
  public SecretViewHealth health() {
    ParsedView.State<CredentialPair> state = view.resolve();
    SecretStoreHealth.Status status =
        state.installed() == null
            ? SecretStoreHealth.Status.DOWN
            : state.problem() != null
                ? SecretStoreHealth.Status.DEGRADED
                : SecretStoreHealth.Status.UP;
    return new SecretViewHealth(
        status,
        view.names(),
        Optional.ofNullable(state.problem()),
        Optional.ofNullable(state.installedAt()),
        state.installs(),
        state.rejections(),
        Optional.empty(),
        OptionalLong.empty());
  }

  @Override
  public Subscription subscribe(SecretViewListener<? super CredentialPair> listener) {
    return view.subscribe(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops listener delivery and removes the view from the store's {@code health()}. Idempotent. */
  @Override
  public void close() {
    view.close();
  }

  /** How many times the pair was parsed: once per distinct content. */
  long parses() {
    return view.parses();
  }

  /** The names the view reads; never values. */
  @Override
  public String toString() {
    return "CredentialPairView" + view.names();
  }
}
