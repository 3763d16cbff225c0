package io.secretsdk;

/**
 * A typed value built from a few secrets of one {@link SecretSnapshot} and kept current while the
 * store rotates them: {@link TlsView} (certificate chain, private key and CA bundle) and {@link
 * CredentialPairView} (username and password).
 *
 * <p>A view parses each distinct content once: it keeps the secrets its value was parsed from and
 * reuses the value while the store serves equal secrets, so reads are cheap and a rotation of an
 * unrelated key parses nothing. A generation that does not parse, or does not pass the view's
 * checks, is not installed: the last good value stays and {@link #health()} says why, naming the
 * file and never its content.
 *
 * <p>Implementations are thread-safe. Reads never touch the disk; they may parse once after a
 * rotation, on the first thread that reads.
 *
 * @param <T> the value type, immutable
 */
public interface SecretView<T> extends AutoCloseable {

  /**
   * The value of the newest generation that passed the view's checks, built from the store's
   * current snapshot.
   *
   * @throws SecretException naming the files and the problem when no generation has passed yet
   */
  T current();

  /**
   * Whether the view has a good value, why not, and (for TLS) when the certificate expires. The
   * store's {@link SecretStore#health()} includes it while the view is registered ({@link
   * SecretStore#registerView}); the views of this library register when built.
   */
  SecretViewHealth health();

  /**
   * Registers a listener told with the old and the new value each time the view installs a new
   * value. A rotation of keys the view does not read never calls it, nor does a generation that is
   * refused. Listeners run on the store's notification thread, one change at a time, in order.
   */
  Subscription subscribe(SecretViewListener<? super T> listener);

  /**
   * Stops listener delivery, unsubscribes from the store and removes the view from the store's
   * health. Idempotent. {@link #current()} keeps answering from the store afterwards.
   */
  @Override
  void close();
}
