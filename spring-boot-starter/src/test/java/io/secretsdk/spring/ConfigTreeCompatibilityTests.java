package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Loads the same trees through {@code configtree:} and {@code secrets:} in one application and
 * compares the two property sources name by name and value by value.
 */
class ConfigTreeCompatibilityTests {

  /**
   * Boot logs the expected startup failure at ERROR with its stack trace: captured, checked, kept
   * quiet.
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  @TempDir static Path dir;
  static Path tree;

  @BeforeAll
  static void writeTree() throws Exception {
    tree = dir.resolve("config");
    Files.createDirectories(tree);
    Map<String, String> db = new LinkedHashMap<>();
    db.put("username", "admin\n");
    db.put("password", "p@ss word\r\n");
    db.put(".secret-file", "dotfile");
    db.put("my-group/my-username", "nested\n");
    db.put("empty", "");
    db.put("two-newlines", "x\n\n");
    KubernetesVolumeWriter.kubelet(tree.resolve("db")).writeStrings(db);
    Map<String, String> api = new LinkedHashMap<>();
    api.put("tls.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    api.put("token", "tok");
    KubernetesVolumeWriter.csiDriver(tree.resolve("api")).writeStrings(api);
    PlainDirectoryWriter plain =
        PlainDirectoryWriter.of(Files.createDirectories(tree.resolve("plain")));
    plain.create("api-key", "k\n");
    plain.create("multi", "line one\nline two\n");
  }

  private static ConfigurableApplicationContext run(String... args) {
    return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE).run(args);
  }

  private static Map<String, String> contents(
      ConfigurableApplicationContext context, Class<?> type, Path path) {
    for (PropertySource<?> source : context.getEnvironment().getPropertySources()) {
      if (type.isInstance(source) && source.getName().contains("'" + path + "'")) {
        EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
        Map<String, String> map = new TreeMap<>();
        Arrays.stream(enumerable.getPropertyNames())
            .forEach(name -> map.put(name, String.valueOf(enumerable.getProperty(name))));
        return map;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " for " + path);
  }

  @Test
  void namesAndValuesEqualConfigtreesForAFolderOfVolumesAndForOneVolume() {
    Path volume = tree.resolve("db");
    try (ConfigurableApplicationContext context =
        run(
            "--spring.config.import=configtree:"
                + tree
                + "/,secrets:"
                + tree
                + "/,configtree:"
                + volume
                + "/,secrets:"
                + volume
                + "/")) {
      Map<String, String> configtree = contents(context, ConfigTreePropertySource.class, tree);
      Map<String, String> secrets = contents(context, SecretsPropertySource.class, tree);
      assertThat(secrets.keySet()).containsExactlyElementsOf(configtree.keySet());
      assertThat(secrets).isEqualTo(configtree);
      assertThat(secrets)
          .containsEntry("db.username", "admin")
          .containsEntry("db.password", "p@ss word")
          .containsEntry("db..secret-file", "dotfile")
          .containsEntry("db.my-group.my-username", "nested")
          .containsEntry(
              "api.tls.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
          .containsEntry("plain.api-key", "k");

      assertThat(contents(context, SecretsPropertySource.class, volume))
          .isEqualTo(contents(context, ConfigTreePropertySource.class, volume));
    }
  }

  @Test
  void prefixOptionPrependsToEveryName() {
    Path volume = tree.resolve("db");
    try (ConfigurableApplicationContext context =
        run("--spring.config.import=secrets:" + volume + "/[prefix=spring.datasource.]")) {
      assertThat(context.getEnvironment().getProperty("spring.datasource.username"))
          .isEqualTo("admin");
      assertThat(context.getEnvironment().getProperty("spring.datasource.my-group.my-username"))
          .isEqualTo("nested");
      assertThat(context.getEnvironment().getProperty("username")).isNull();
    }
  }

  @Test
  void trimmingCanBeTurnedOffPerImport() {
    try (ConfigurableApplicationContext context =
        run(
            "--spring.config.import=secrets:"
                + tree.resolve("db")
                + "/[trim-trailing-newline=false]")) {
      assertThat(context.getEnvironment().getProperty("username")).isEqualTo("admin\n");
    }
  }

  @Test
  void laterImportWinsWhenSeveralImportsServeTheSameName() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    KubernetesVolumeWriter.kubelet(first)
        .writeStrings(Map.of("shared", "from-first", "only-first", "1"));
    KubernetesVolumeWriter.kubelet(second).writeStrings(Map.of("shared", "from-second"));
    try (ConfigurableApplicationContext context =
        run("--spring.config.import=secrets:" + first + ",secrets:" + second)) {
      assertThat(context.getEnvironment().getProperty("shared")).isEqualTo("from-second");
      assertThat(context.getEnvironment().getProperty("only-first")).isEqualTo("1");
      assertThat(context.getBean(SecretsImports.class).stores())
          .containsOnlyKeys("secrets:" + first, "secrets:" + second);
    }
  }

  @Test
  void missingDirectoryFailsStartupNamingIt() {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> run("--spring.config.import=secrets:" + missing + "/"))
        .isInstanceOf(ConfigDataResourceNotFoundException.class)
        .hasMessageContaining("secrets directory '" + missing + "'");
  }

  @Test
  void failedStartLeavesNoWatcherAndNoValueInTheMessage(Canaries canaries) {
    Path good = dir.resolve("good");
    Path big = dir.resolve("big");
    KubernetesVolumeWriter.kubelet(good).writeStrings(Map.of("a", "1"));
    String canary = canaries.next("huge");
    KubernetesVolumeWriter.kubelet(big).writeStrings(Map.of("huge", canary + "x".repeat(100)));
    long watchersBefore = watchThreads();

    assertThatThrownBy(
            () ->
                run(
                    // Boot loads one property's imports last to first: the good one starts before
                    // the big one fails.
                    "--spring.config.import=secrets:" + big + ",secrets:" + good,
                    "--secretsdk.import.max-secret-bytes=64"))
        .satisfies(
            failure -> {
              assertThat(failure).hasStackTraceContaining("huge");
              canaries.assertNoLeak(failure);
            });
    assertThat(watchThreads()).isEqualTo(watchersBefore);
  }

  private static long watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("secretsdk-watch"))
        .count();
  }

  @Test
  void optionalMissingDirectoryStartsEmpty() {
    Path missing = dir.resolve("missing-optional");
    try (ConfigurableApplicationContext context =
        run("--spring.config.import=optional:secrets:" + missing + "/")) {
      assertThat(context.getEnvironment().getPropertySources().stream())
          .anySatisfy(source -> assertThat(source).isInstanceOf(SecretsPropertySource.class));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Empty {}
}
