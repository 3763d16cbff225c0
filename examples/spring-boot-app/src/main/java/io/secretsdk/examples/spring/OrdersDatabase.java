package io.secretsdk.examples.spring;

import io.secretsdk.spring.SecretsBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Stands in for a connection pool: it "connects" with the current credential pair and connects
 * again, with the new pair, the first time it is used after the pair changed, as a pool that
 * validates connections on borrow would. It never keeps the password, only a digest to notice a
 * change. Thread-safe.
 */
@Component
public class OrdersDatabase {

  private static final Logger log = LoggerFactory.getLogger(OrdersDatabase.class);

  private final SecretsBinding<DatabaseCredentials> credentials;
  private final AtomicInteger connections = new AtomicInteger();
  private Connection current;

  OrdersDatabase(SecretsBinding<DatabaseCredentials> credentials) {
    this.credentials = credentials;
  }

  /** The connection for the current pair, opening a new one if the pair changed. */
  public synchronized Connection connection() {
    DatabaseCredentials pair = credentials.get();
    String digest = digest(pair);
    if (current == null || !current.digest.equals(digest)) {
      current = new Connection(pair.username(), connections.incrementAndGet(), digest);
      log.info(
          "connected to the orders database as {} (connection {})",
          pair.username(),
          current.number);
    }
    return current;
  }

  private static String digest(DatabaseCredentials pair) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(String.valueOf(pair.username()).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(String.valueOf(pair.password()).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An open connection: who it is connected as and how many connections were opened so far. */
  public record Connection(String username, int number, String digest) {
    @Override
    public String toString() {
      return "Connection[username=" + username + ", number=" + number + "]";
    }
  }
}
