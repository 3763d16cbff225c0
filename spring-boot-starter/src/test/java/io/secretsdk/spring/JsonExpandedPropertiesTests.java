package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.ClassUtils;

@ExtendWith(OutputCaptureExtension.class)
class JsonExpandedPropertiesTests {

  static final String DB =
      "{\"username\":\"u\",\"password\":\"p\",\"pool\":{\"max\":5,\"ratio\":1.50,\"fair\":true},"
          + "\"hosts\":[\"a\",\"b\"],\"replicas\":[{\"url\":\"r1\"}],\"unset\":null}";

  @TempDir Path dir;
  private SecretStore store;

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  static Stream<JsonFlattener> flatteners() {
    return Stream.of(new Jackson3JsonFlattener(), new BootJsonFlattener());
  }

  private SecretsPropertySource source(Path volume, String prefix, JsonExpandedProperties json) {
    store = SecretStore.builder().mount(volume, prefix).trimTrailingNewline(true).build();
    return new SecretsPropertySource("test", store, json);
  }

  @ParameterizedTest
  @MethodSource("flatteners")
  void expandsObjectsIntoNamesAsSpringBindsThem(JsonFlattener flattener) {
    Path volume = dir.resolve("app");
    KubernetesVolumeWriter.kubelet(volume)
        .writeStrings(
            Map.of(
                "db", DB, "token", "plain-token", "list", "[1,2]", "hash", "{bcrypt}$2a$10$abc"));

    SecretsPropertySource source = source(volume, "app.", new JsonExpandedProperties(flattener));

    assertThat(source.getPropertyNames())
        .containsExactly(
            "app.db.hosts[0]",
            "app.db.hosts[1]",
            "app.db.password",
            "app.db.pool.fair",
            "app.db.pool.max",
            "app.db.pool.ratio",
            "app.db.replicas[0].url",
            "app.db.username",
            "app.hash",
            "app.list",
            "app.token");
    assertThat(source.getProperty("app.db.username")).isEqualTo("u");
    assertThat(source.getProperty("app.db.pool.max")).isEqualTo("5");
    assertThat(source.getProperty("app.db.pool.fair")).isEqualTo("true");
    assertThat(source.getProperty("app.db.hosts[1]")).isEqualTo("b");
    assertThat(source.getProperty("app.db.replicas[0].url")).isEqualTo("r1");
    // The document itself is served as its members only; null members are left out.
    assertThat(source.containsProperty("app.db")).isFalse();
    assertThat(source.getProperty("app.db")).isNull();
    assertThat(source.containsProperty("app.db.unset")).isFalse();
    // Non-object JSON and non-JSON values, a {bcrypt} hash included, stay plain values.
    assertThat(source.getProperty("app.list")).isEqualTo("[1,2]");
    assertThat(source.getProperty("app.token")).isEqualTo("plain-token");
    assertThat(source.getProperty("app.hash")).isEqualTo("{bcrypt}$2a$10$abc");
    assertThat(source.getOrigin("app.db.pool.max"))
        .isInstanceOfSatisfying(
            TextResourceOrigin.class,
            origin -> assertThat(origin.getResource().getFilename()).isEqualTo("db"));
  }

  @Test
  void jacksonKeepsTheTextOfNumbersAndThePositionOfEachMember() {
    Path volume = dir.resolve("app");
    KubernetesVolumeWriter.kubelet(volume)
        .writeStrings(Map.of("db", "{\n  \"user\": \"u\",\n  \"ratio\": 1.50\n}\n"));

    SecretsPropertySource source =
        source(volume, "", new JsonExpandedProperties(new Jackson3JsonFlattener()));

    assertThat(source.getProperty("db.ratio")).isEqualTo("1.50");
    assertThat(source.getOrigin("db.ratio"))
        .isInstanceOfSatisfying(
            TextResourceOrigin.class,
            origin -> {
              assertThat(origin.getLocation().getLine()).isEqualTo(2);
              assertThat(origin.toString()).contains("db]", " - 3:");
            });
  }

  @ParameterizedTest
  @MethodSource("flatteners")
  void rotationAddsAndRemovesExpandedNamesFromOneGeneration(JsonFlattener flattener) {
    Path volume = dir.resolve("app");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("db", "{\"username\":\"u1\",\"password\":\"p1\",\"old\":\"x\"}"));
    SecretsPropertySource source = source(volume, "", new JsonExpandedProperties(flattener));
    assertThat(source.getPropertyNames()).containsExactly("db.old", "db.password", "db.username");

    writer.writeStrings(Map.of("db", "{\"username\":\"u2\",\"password\":\"p2\",\"new\":\"y\"}"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(source.getPropertyNames())
                  .containsExactly("db.new", "db.password", "db.username");
              assertThat(source.containsProperty("db.old")).isFalse();
            });
    assertThat(source.getProperty("db.username")).isEqualTo("u2");
    assertThat(source.getProperty("db.password")).isEqualTo("p2");
  }

  @Test
  void malformedJsonKeepsTheLastGoodDocumentAndNamesKeyAndPositionNeverContent(
      CapturedOutput output) {
    Path volume = dir.resolve("app");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("db", "{\"username\":\"u1\",\"password\":\"p1\"}"));
    JsonExpandedProperties json = new JsonExpandedProperties(new Jackson3JsonFlattener());
    SecretsPropertySource source = source(volume, "", json);
    assertThat(source.getProperty("db.password")).isEqualTo("p1");

    String canary = "canary-" + UUID.randomUUID();
    writer.writeStrings(Map.of("db", "{\n\"username\":\"u2\",\n\"password\":" + canary + "\"}"));

    // The view of a new snapshot is built by the first lookup that sees it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> source.getPropertyNames().length > 0 && json.errors().containsKey("db"));
    assertThat(json.errors().get("db"))
        .contains("secret 'db' is not valid JSON at line 3, column")
        .contains(volume.resolve("db").toString())
        .contains("last good document")
        .doesNotContain(canary);
    assertThat(source.getProperty("db.password")).isEqualTo("p1");
    assertThat(source.getProperty("db.username")).isEqualTo("u1");
    assertThat(source.containsProperty("db")).isFalse();
    assertThat(output.getAll()).doesNotContain(canary);

    writer.writeStrings(Map.of("db", "{\"username\":\"u3\",\"password\":\"p3\"}"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(source.getProperty("db.password")).isEqualTo("p3"));
    assertThat(json.errors()).isEmpty();
  }

  @Test
  void parsesEachDistinctContentOnceUnderConcurrentLookups() throws Exception {
    Path volume = dir.resolve("app");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("db", DB, "token", "t1"));
    JsonExpandedProperties json = new JsonExpandedProperties(new Jackson3JsonFlattener());
    SecretsPropertySource source = source(volume, "", json);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> lookups = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        lookups.add(
            pool.submit(
                () -> {
                  start.await();
                  return (String) source.getProperty("db.pool.max");
                }));
      }
      start.countDown();
      for (Future<String> lookup : lookups) {
        assertThat(lookup.get()).isEqualTo("5");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(json.parses()).isEqualTo(1);
    assertThat(source.getPropertyNames()).isSameAs(source.getPropertyNames());

    // An unrelated key rotates: the document is not parsed again, and no stale view remains.
    writer.writeStrings(Map.of("db", DB, "token", "t2"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(source.getProperty("token")).isEqualTo("t2"));
    assertThat(source.getProperty("db.pool.max")).isEqualTo("5");
    assertThat(json.parses()).isEqualTo(1);

    writer.writeStrings(Map.of("db", DB.replace("\"max\":5", "\"max\":6"), "token", "t2"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(source.getProperty("db.pool.max")).isEqualTo("6"));
    assertThat(json.parses()).isEqualTo(2);
  }

  @Test
  void worksWithOnlyJackson3AndSpringBootOnTheClassPath() throws Exception {
    // Jackson 3 is what Spring Boot 4 brings; the starter never needs Jackson 2.
    assertThat(JsonFlattener.best().id()).isEqualTo("jackson3");
    URL[] jars = {
      location(JsonFlattener.class),
      location(tools.jackson.core.JsonParser.class),
      location(JsonParserFactory.class),
      location(ClassUtils.class)
    };
    try (URLClassLoader isolated = new URLClassLoader(jars, ClassLoader.getPlatformClassLoader())) {
      assertThat(ClassUtils.isPresent("com.fasterxml.jackson.databind.ObjectMapper", isolated))
          .isFalse();
      assertThat(ClassUtils.isPresent("com.fasterxml.jackson.core.JsonParser", isolated)).isFalse();
      Class<?> type = Class.forName("io.secretsdk.spring.JsonFlattener", true, isolated);
      java.lang.reflect.Method best = type.getMethod("best");
      best.setAccessible(true);
      Object flattener = best.invoke(null);
      java.lang.reflect.Method flatten = type.getMethod("flatten", String.class, String.class);
      flatten.setAccessible(true);
      @SuppressWarnings("unchecked")
      Map<String, ?> fields = (Map<String, ?>) flatten.invoke(flattener, "db", DB);
      assertThat(flattener.getClass().getSimpleName()).isEqualTo("Jackson3JsonFlattener");
      assertThat(fields.keySet()).contains("pool.max", "hosts[1]", "replicas[0].url");
    }
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
