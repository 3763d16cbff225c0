package io.secretsdk.examples.microprofile;

import io.secretsdk.CredentialPair;
import io.secretsdk.CredentialPairView;
import io.secretsdk.Subscription;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The service's credential pair, from a mounted {@code kubernetes.io/basic-auth} Secret ({@code
 * username}, {@code password}) under the prefix {@code admin}: clients of the admin API must
 * present it, and it follows rotation without a restart.
 *
 * <p>The pair comes from a {@link CredentialPairView}: both halves from ONE generation, so a
 * rotation can never be seen as the new username with the old password. The derived value (the
 * expected {@code Authorization} header) is rebuilt when the view reports a new pair, which is what
 * a client holding a connection pool would do too. Thread-safe.
 */
@ApplicationScoped
public class ServiceCredentials {

  static final String USERNAME = "admin.username";
  static final String PASSWORD = "admin.password";

  private static final Logger LOG = Logger.getLogger(ServiceCredentials.class);

  /** What a request must carry, derived from one pair; never printed. */
  private record Expected(String username, byte[] header) {}

  @Inject CredentialPairView pairs;

  private volatile Expected expected;
  private final AtomicLong rotations = new AtomicLong();
  private Subscription subscription;

  @PostConstruct
  void start() {
    expected = derive(pairs.current());
    subscription =
        pairs.subscribe(
            (previous, current) -> {
              expected = derive(current);
              rotations.incrementAndGet();
              LOG.infof("admin credentials rotated (user %s)", current.username());
            });
  }

  @PreDestroy
  void stop() {
    subscription.close();
  }

  private static Expected derive(CredentialPair pair) {
    String header =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (pair.username() + ":" + pair.password()).getBytes(StandardCharsets.UTF_8));
    return new Expected(pair.username(), header.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether an {@code Authorization} header carries the current pair; compared in constant time.
   */
  public boolean accepts(String authorization) {
    return authorization != null
        && MessageDigest.isEqual(expected.header(), authorization.getBytes(StandardCharsets.UTF_8));
  }

  /** The current user name (not a secret by itself). */
  public String username() {
    return expected.username();
  }

  /** How many rotations of the pair this instance applied. */
  public long rotations() {
    return rotations.get();
  }
}
