package io.secretsdk.spring;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretChangeEvent;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;

/**
 * Makes the auto-configured HikariCP pool follow a rotation of {@code spring.datasource.username}
 * and {@code spring.datasource.password} served by a {@code secrets:} import: when a published
 * generation changes either name, the pool gets the new pair atomically ({@link
 * HikariConfigMXBean#setCredentials}) for every connection it opens from then on, and its current
 * connections are soft-evicted: idle ones are closed at once, borrowed ones when they are returned,
 * so no in-flight request fails and no context refresh is needed. A second soft eviction follows
 * after the pool's connection timeout, for a connection that was being opened with the old pair
 * during the switch.
 *
 * <p>Both names are read from the published snapshot of the import that changed, so a username and
 * password rotated together are never combined across generations; a name the import does not serve
 * is read from the {@code Environment}. The database must accept the old pair until the pool has
 * moved on (an overlap window, as every rotation scheme keeps).
 *
 * <p>Thread-safe.
 */
final class SecretsDataSourceCredentials implements SmartInitializingSingleton, DisposableBean {

  static final String USERNAME = "spring.datasource.username";
  static final String PASSWORD = "spring.datasource.password";

  private static final System.Logger LOG =
      System.getLogger(SecretsDataSourceCredentials.class.getName());

  private final SecretsImports imports;
  private final Environment environment;
  private final String beanName;
  private final HikariDataSource dataSource;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private Credentials applied;
  private long rotations;
  private boolean destroyed;

  SecretsDataSourceCredentials(
      SecretsImports imports,
      Environment environment,
      String beanName,
      HikariDataSource dataSource) {
    this.imports = imports;
    this.environment = environment;
    this.beanName = beanName;
    this.dataSource = dataSource;
  }

  /** The pool of {@code dataSource}, if it is a HikariCP pool or wraps one. */
  static HikariDataSource hikari(DataSource dataSource) {
    if (dataSource instanceof HikariDataSource hikari) {
      return hikari;
    }
    try {
      return dataSource.isWrapperFor(HikariDataSource.class)
          ? dataSource.unwrap(HikariDataSource.class)
          : null;
    } catch (SQLException e) {
      return null;
    }
  }

  @Override
  public void afterSingletonsInstantiated() {
    synchronized (this) {
      applied = Credentials.of(dataSource.getUsername(), dataSource.getPassword());
    }
    imports.forEachStore(this::subscribe);
  }

  private void subscribe(String location, SecretStore store) {
    Subscription subscription = store.subscribe(this::onChange);
    synchronized (this) {
      if (!destroyed) {
        subscriptions.add(subscription);
        return;
      }
    }
    subscription.close();
  }

  private void onChange(SecretChangeEvent event) {
    if (!event.names().contains(USERNAME) && !event.names().contains(PASSWORD)) {
      return;
    }
    SecretSnapshot snapshot = event.current();
    HikariConfigMXBean config = dataSource.getHikariConfigMXBean();
    Credentials next = Credentials.of(value(snapshot, USERNAME), value(snapshot, PASSWORD));
    synchronized (this) {
      if (destroyed
          || (applied != null
              && Objects.equals(applied.getUsername(), next.getUsername())
              && Objects.equals(applied.getPassword(), next.getPassword()))) {
        return;
      }
      config.setCredentials(next);
      applied = next;
      rotations++;
    }
    HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
    if (pool != null) {
      pool.softEvictConnections();
      // A connection that Hikari was opening with the old pair while we switched joins the pool
      // after this eviction. Creation is bounded by the connection timeout: evict once more after
      // it, so no connection of the old pair outlives the rotation by more than that.
      long delay = config.getConnectionTimeout() + 1_000;
      CompletableFuture.runAsync(
          () -> evictAgain(pool), CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
    }
    // Names only, never values.
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "data source '"
                + beanName
                + "' opens new connections with the rotated credentials ("
                + changedNames(event)
                + " changed, revision "
                + snapshot.revision()
                + "); its current connections are retired as they become idle");
  }

  private void evictAgain(HikariPoolMXBean pool) {
    synchronized (this) {
      if (destroyed || dataSource.isClosed()) {
        return;
      }
    }
    try {
      pool.softEvictConnections();
    } catch (RuntimeException e) {
      // The pool is shutting down; nothing to retire.
    }
  }

  /** The username handed to the pool last. */
  synchronized String appliedUsername() {
    return applied == null ? null : applied.getUsername();
  }

  private static String changedNames(SecretChangeEvent event) {
    List<String> names = new ArrayList<>();
    if (event.names().contains(USERNAME)) {
      names.add(USERNAME);
    }
    if (event.names().contains(PASSWORD)) {
      names.add(PASSWORD);
    }
    return String.join(", ", names);
  }

  private String value(SecretSnapshot snapshot, String name) {
    Secret secret = snapshot.find(name);
    if (secret == null) {
      return environment.getProperty(name);
    }
    return secret.isText() ? secret.asString() : new String(secret.bytes(), StandardCharsets.UTF_8);
  }

  /** How many rotations were applied to the pool. */
  synchronized long rotations() {
    return rotations;
  }

  @Override
  public void destroy() {
    List<Subscription> toClose;
    synchronized (this) {
      destroyed = true;
      toClose = new ArrayList<>(subscriptions);
      subscriptions.clear();
    }
    toClose.forEach(Subscription::close);
  }

  @Override
  public String toString() {
    return "SecretsDataSourceCredentials[" + beanName + "]";
  }
}
