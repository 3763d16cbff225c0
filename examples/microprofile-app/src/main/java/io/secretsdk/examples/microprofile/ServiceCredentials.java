package io.secretsdk.examples.microprofile;

import io.secretsdk.Secret;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.microprofile.SecretsChanged;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The service's credential pair, from a mounted {@code kubernetes.io/basic-auth} Secret
 * ({@code username}, {@code password}) under the prefix {@code admin}: clients of the admin API
 * must present it, and it follows rotation without a restart.
 *
 * <p>Both halves are read from ONE snapshot, so a rotation of the pair can never be seen as the
 * new username with the old password. The derived value (the expected {@code Authorization}
 * header) is rebuilt when a {@link SecretsChanged} event names the pair, which is what a client
 * holding a connection pool would do too. Thread-safe.
 */
@ApplicationScoped
public class ServiceCredentials {

  static final String USERNAME = "admin.username";
  static final String PASSWORD = "admin.password";

  private static final Logger LOG = Logger.getLogger(ServiceCredentials.class);

  /** The pair as one immutable value; never printed. */
  private record Current(String username, byte[] expectedHeader, long revision) {}

  @Inject SecretStore store;

  private volatile Current current;
  private final AtomicLong rotations = new AtomicLong();

  @PostConstruct
  void load() {
    current = read(store.snapshot());
  }

  void onSecretsChanged(@Observes SecretsChanged change) {
    if (change.names().contains(USERNAME) || change.names().contains(PASSWORD)) {
      current = read(store.snapshot());
      rotations.incrementAndGet();
      LOG.infof("admin credentials rotated (revision %d)", change.revision());
    }
  }

  private static Current read(SecretSnapshot snapshot) {
    Secret username = snapshot.get(USERNAME).orElseThrow(() -> missing(USERNAME));
    Secret password = snapshot.get(PASSWORD).orElseThrow(() -> missing(PASSWORD));
    String header =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((username.asString() + ":" + password.asString()).getBytes(StandardCharsets.UTF_8));
    return new Current(username.asString(), header.getBytes(StandardCharsets.UTF_8), snapshot.revision());
  }

  private static IllegalStateException missing(String name) {
    return new IllegalStateException(
        name + " is not in the mounted secrets: mount the basic-auth Secret with SECRETSDK_MOUNTS=/etc/secrets/admin=admin");
  }

  /** Whether an {@code Authorization} header carries the current pair; compared in constant time. */
  public boolean accepts(String authorization) {
    if (authorization == null) {
      return false;
    }
    return MessageDigest.isEqual(current.expectedHeader(), authorization.getBytes(StandardCharsets.UTF_8));
  }

  /** The current user name (not a secret by itself). */
  public String username() {
    return current.username();
  }

  /** The store revision the pair was read from. */
  public long revision() {
    return current.revision();
  }

  /** How many rotations of the pair this instance applied. */
  public long rotations() {
    return rotations.get();
  }
}
