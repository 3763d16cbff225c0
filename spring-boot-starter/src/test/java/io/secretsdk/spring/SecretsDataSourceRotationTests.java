package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real application on a loopback port, under steady HTTP load through its HikariCP pool to an H2
 * database in server mode (TCP on 127.0.0.1), rotates its database password ten times.
 *
 * <p>The rotation follows the alternating-users scheme (AWS Secrets Manager's "alternating users",
 * Vault's static roles with two accounts): two database users with the same grants; each rotation
 * sets a new password on the user that is not in use, then publishes that user and password
 * together in one Secret generation. The previous pair stays valid until the rotation after next,
 * which is the overlap window in which the pool moves over. A pool that kept the old pair would
 * fail to open connections two rotations later.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = SecretsDataSourceRotationTests.App.class,
    properties = {
      "server.address=127.0.0.1",
      "spring.config.import=secrets:${secretsdk.db-e2e.dir}/db/[prefix=spring.datasource.]",
      "spring.datasource.url=${secretsdk.db-e2e.url}",
      "spring.datasource.hikari.maximum-pool-size=4",
      "spring.datasource.hikari.minimum-idle=2",
      "logging.level.io.secretsdk=TRACE"
    })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class SecretsDataSourceRotationTests {

  static {
    // Read once by H2 when its classes load: the TCP server listens on loopback only.
    System.setProperty("h2.bindAddress", "127.0.0.1");
  }

  static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
  static final List<String> PASSWORDS = new CopyOnWriteArrayList<>();
  static Server h2;
  static Connection admin;
  static Path dir;
  static KubernetesVolumeWriter volume;
  static int rotation;

  @LocalServerPort int port;
  @Autowired SecretsDataSourceCredentials follower;

  @BeforeAll
  static void startDatabase() throws SQLException, IOException {
    h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    String url = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/mem:rotation";
    // The admin's connection creates the database and keeps it open; only an admin may set the
    // delay.
    admin = DriverManager.getConnection(url + ";DB_CLOSE_DELAY=-1", "sa", ADMIN_PASSWORD);
    try (Statement sql = admin.createStatement()) {
      sql.execute("CREATE TABLE orders(id INT PRIMARY KEY)");
      sql.execute("INSERT INTO orders VALUES (1), (2), (3)");
      for (String user : List.of("app_a", "app_b")) {
        sql.execute("CREATE USER " + user + " PASSWORD '" + UUID.randomUUID() + "'");
        sql.execute("GRANT SELECT ON orders TO " + user);
      }
    }
    dir = Files.createTempDirectory("secretsdk-db-e2e");
    volume = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    System.setProperty("secretsdk.db-e2e.dir", dir.toString());
    System.setProperty("secretsdk.db-e2e.url", url);
    rotate();
  }

  @AfterAll
  static void stopDatabase() throws SQLException {
    System.clearProperty("secretsdk.db-e2e.dir");
    System.clearProperty("secretsdk.db-e2e.url");
    admin.close();
    h2.stop();
  }

  /** Sets a new password on the idle user, then publishes that pair in one generation. */
  static String rotate() throws SQLException {
    String user = rotation++ % 2 == 0 ? "app_a" : "app_b";
    String password = "pw-" + UUID.randomUUID();
    PASSWORDS.add(password);
    try (Statement sql = admin.createStatement()) {
      sql.execute("ALTER USER " + user + " SET PASSWORD '" + password + "'");
    }
    volume.writeStrings(Map.of("username", user + "\n", "password", password + "\n"));
    return user;
  }

  @Test
  void tenPasswordRotationsUnderLoadFailNoRequest(CapturedOutput output) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/orders");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong ok = new AtomicLong();
    List<String> failures = new CopyOnWriteArrayList<>();
    Set<String> usersSeen = ConcurrentHashMap.newKeySet();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread client =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> response =
                        http.send(
                            HttpRequest.newBuilder(uri).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                      ok.incrementAndGet();
                      usersSeen.add(response.body());
                    } else {
                      failures.add(response.statusCode() + " " + response.body());
                    }
                  } catch (IOException e) {
                    failures.add(e.toString());
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "db-load-" + i);
      client.setDaemon(true);
      client.start();
      clients.add(client);
    }
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> usersSeen.contains("APP_A"));
      for (int i = 0; i < 10; i++) {
        String user = rotate().toUpperCase(java.util.Locale.ROOT);
        long before = ok.get();
        // The pool gets the new pair, then requests are answered by connections of the new user.
        // (Users alternate, so a connection of this user from two rotations ago must not count.)
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> user.equalsIgnoreCase(follower.appliedUsername()));
        usersSeen.clear();
        await().atMost(Duration.ofSeconds(30)).until(() -> usersSeen.contains(user));
        await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > before + 20);
      }
    } finally {
      running.set(false);
      for (Thread client : clients) {
        client.join(30_000);
      }
    }

    assertThat(failures).isEmpty();
    // Each rotation was applied before the next was written: exactly ten.
    assertThat(follower.rotations()).isEqualTo(10);
    assertThat(ok.get()).isGreaterThan(200);
    for (String password : PASSWORDS) {
      assertThat(output.getAll()).doesNotContain(password);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(OrdersController.class)
  static class App {}

  @RestController
  static class OrdersController {

    private final JdbcTemplate jdbc;

    OrdersController(JdbcTemplate jdbc) {
      this.jdbc = jdbc;
    }

    /** Reads through the pool and answers with the database user the connection belongs to. */
    @GetMapping("/orders")
    String orders() {
      return jdbc.queryForObject("SELECT CURRENT_USER FROM orders WHERE id = 1", String.class);
    }
  }
}
