package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class JsonExpansionTests {

  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private String canary;
  private String rotatedCanary;
  private LogCapture logs;
  private KubernetesVolumeWriter app;
  private KubernetesVolumeWriter plain;
  private SmallRyeConfig config;

  @BeforeEach
  void mount(Canaries canaries, SystemProperties properties, LogCapture logs) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    this.logs = logs;
    app = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
    plain = KubernetesVolumeWriter.kubelet(tmp.resolve("plain"));
    app.writeStrings(
        Map.of(
            "db",
            db("app", canary, "\"pool\":{\"max\":5},\"hosts\":[\"h0\",\"h1\"],\"tls\":true"),
            "token",
            "t0\n"));
    plain.writeStrings(Map.of("doc", "{\"a\":1}"));
    properties.set(
        "secretsdk.mounts", app.volume() + "=app[json=expand]," + plain.volume() + "=plain");
    config = new SmallRyeConfigBuilder().addDiscoveredSources().build();
  }

  @AfterEach
  void cleanUp() {
    SharedSecretStores.closeAll();
  }

  private static String db(String username, String password, String more) {
    return "{\"username\":\""
        + username
        + "\",\"password\":\""
        + password
        + "\""
        + (more.isEmpty() ? "" : "," + more)
        + "}\n";
  }

  private SecretsConfigSource source() {
    return StreamSupport.stream(config.getConfigSources().spliterator(), false)
        .filter(SecretsConfigSource.class::isInstance)
        .map(SecretsConfigSource.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private Optional<String> value(String name) {
    return config.getOptionalValue(name, String.class);
  }

  @Test
  void jsonObjectsOfAnExpandMountBecomeDottedProperties() {
    assertThat(value("app.db.username")).contains("app");
    assertThat(value("app.db.password")).contains(canary);
    assertThat(value("app.db.pool.max")).contains("5");
    assertThat(value("app.db.hosts[0]")).contains("h0");
    assertThat(value("app.db.hosts[1]")).contains("h1");
    assertThat(value("app.db.tls")).contains("true");
    assertThat(value("APP_DB_POOL_MAX"))
        .as("environment-style names find expanded ones too")
        .contains("5");
    assertThat(value("app.db")).as("the document itself is replaced by its fields").isEmpty();
    assertThat(value("app.token")).as("a plain value stays plain").contains("t0");
    assertThat(value("plain.doc"))
        .as("a mount without [json=expand] is not expanded")
        .contains("{\"a\":1}");
    assertThat(source().getPropertyNames())
        .containsExactly(
            "app.db.hosts[0]",
            "app.db.hosts[1]",
            "app.db.password",
            "app.db.pool.max",
            "app.db.tls",
            "app.db.username",
            "app.token",
            "plain.doc");
    assertThat(source().problems()).isEmpty();
  }

  @Test
  void rotationAddsAndRemovesExpandedNames() {
    app.writeStrings(Map.of("db", db("app", rotatedCanary, "\"timeout\":30"), "token", "t0\n"));

    await()
        .atMost(PATIENCE)
        .until(() -> value("app.db.password").equals(Optional.of(rotatedCanary)));
    assertThat(value("app.db.timeout")).contains("30");
    assertThat(value("app.db.pool.max")).isEmpty();
    assertThat(value("app.db.hosts[0]")).isEmpty();
    assertThat(source().getPropertyNames()).doesNotContain("app.db.pool.max", "app.db.tls");
  }

  @Test
  void aDocumentRotatedAsOneGenerationIsNeverSeenHalfOld() throws Exception {
    SecretsConfigSource source = source();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> mixed = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                Map<String, String> seen = source.getProperties();
                String user = seen.get("app.db.username");
                String password = seen.get("app.db.password");
                if (!password.endsWith(user.substring(user.indexOf('-')))) {
                  mixed.set(user);
                }
              }
            },
            "json-reader");
    app.writeStrings(Map.of("db", db("user-0", canary + "-0", ""), "token", "t0\n"));
    await().atMost(PATIENCE).until(() -> "user-0".equals(source.getValue("app.db.username")));
    reader.start();
    try {
      for (int i = 1; i <= 20; i++) {
        String user = "user-" + i;
        app.writeStrings(Map.of("db", db(user, canary + "-" + i, ""), "token", "t0\n"));
        await().atMost(PATIENCE).until(() -> user.equals(source.getValue("app.db.username")));
      }
    } finally {
      stop.set(true);
      reader.join(10_000);
    }
    assertThat(mixed.get()).as("a username seen with another generation's password").isNull();
  }

  @Test
  void malformedJsonKeepsTheLastGoodDocumentAndSaysWhereWithoutTheContent() {
    app.writeStrings(
        Map.of(
            "db",
            "{\"username\":\"app\",\n \"password\":\"" + rotatedCanary + "\",,}",
            "token",
            "t1\n"));

    await().atMost(PATIENCE).until(() -> value("app.token").equals(Optional.of("t1")));
    assertThat(value("app.db.password")).contains(canary);
    assertThat(value("app.db.pool.max")).contains("5");
    assertThat(source().problems())
        .singleElement()
        .asString()
        .contains("secret 'app.db'")
        .contains("line 2")
        .doesNotContain(rotatedCanary);
    assertThat(logs.text()).contains("secret 'app.db'").contains("line 2");

    app.writeStrings(Map.of("db", db("app", rotatedCanary, ""), "token", "t1\n"));

    await()
        .atMost(PATIENCE)
        .until(() -> value("app.db.password").equals(Optional.of(rotatedCanary)));
    assertThat(source().problems()).isEmpty();
  }

  @Test
  void aMalformedDocumentWithNoGoodPastIsNotServedAtAll() {
    SharedSecretStores.closeAll();
    app.writeStrings(Map.of("db", "{\"password\":\"" + canary + "\"", "token", "t0\n"));
    config = new SmallRyeConfigBuilder().addDiscoveredSources().build();

    assertThat(value("app.db")).isEmpty();
    assertThat(value("app.db.password")).isEmpty();
    assertThat(value("app.token")).contains("t0");
    assertThat(source().problems())
        .singleElement()
        .asString()
        .contains("secret 'app.db'")
        .doesNotContain(canary);
  }

  @Test
  void aSecretFileNamedLikeAnExpandedPropertyWins() {
    app.writeStrings(Map.of("db", db("from-json", canary, ""), "db.username", "from-file"));

    await()
        .atMost(PATIENCE)
        .until(
            () ->
                value("app.db.password").equals(Optional.of(canary))
                    && value("app.token").isEmpty());
    assertThat(source().getProperties()).contains(entry("app.db.username", "from-file"));
  }
}
