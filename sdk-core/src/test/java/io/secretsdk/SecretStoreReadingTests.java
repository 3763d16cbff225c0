package io.secretsdk;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.VaultAgentWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading on build() and refresh(): layouts, names, exact bytes, sources and their order. */
class SecretStoreReadingTests {

  static final String PEM =
      "-----BEGIN PRIVATE KEY-----\n"
          + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
          + "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
          + "-----END PRIVATE KEY-----\n";

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  String canary;
  LogCapture logs;

  @BeforeEach
  void plantCanary(Canaries canaries, LogCapture logs) {
    canary = canaries.next("value");
    this.logs = logs;
  }

  @Test
  void kubeletVolumeYieldsEveryKeyKindWithExactBytes() {
    byte[] binary = new byte[256];
    new Random(7).nextBytes(binary);
    binary[0] = 0;
    binary[1] = (byte) 0xFF;
    Map<String, byte[]> items = new LinkedHashMap<>();
    items.put("username", "admin".getBytes(UTF_8));
    items.put("password", (canary + "\n").getBytes(UTF_8));
    items.put("my-group/my-username", "nested".getBytes(UTF_8));
    items.put(".secret-file", "dot".getBytes(UTF_8));
    items.put("keystore.p12", binary);
    items.put("tls.key", PEM.getBytes(UTF_8));
    Path volume = tmp.resolve("db");
    KubernetesVolumeWriter.kubelet(volume).write(items);

    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      SecretSnapshot snap = store.snapshot();
      assertThat(snap.names())
          .containsExactly(
              ".secret-file",
              "keystore.p12",
              "my-group.my-username",
              "password",
              "tls.key",
              "username");
      assertThat(snap.get("keystore.p12").orElseThrow().bytes()).isEqualTo(binary);
      assertThat(snap.get("tls.key").orElseThrow().asString()).isEqualTo(PEM);
      assertThat(snap.get("password").orElseThrow().bytes())
          .isEqualTo((canary + "\n").getBytes(UTF_8));
      assertThat(snap.get("my-group.my-username").orElseThrow().asString()).isEqualTo("nested");
      assertThat(snap.get(".secret-file").orElseThrow().asString()).isEqualTo("dot");
      assertThat(snap.get("password").orElseThrow().origin())
          .isEqualTo(SecretOrigin.file(volume.resolve("password")))
          .hasToString("file:" + volume.resolve("password"));
      assertThat(snap.get("my-group.my-username").orElseThrow().origin())
          .isEqualTo(SecretOrigin.file(volume.resolve("my-group/my-username")))
          .hasToString("file:" + volume.resolve("my-group/my-username"));
      assertThat(snap.revision()).isEqualTo(1);
    }
  }

  @Test
  void machineryAndRendererTemporariesAreNeverKeys() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    writer.writeStrings(Map.of("a", "2"));
    // A ..data_tmp left behind by an interrupted write and a stale timestamped directory.
    Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of("..2020_01_01_00_00_00.1"));
    Files.createDirectories(volume.resolve("..2020_01_01_00_00_00.1"));
    Files.writeString(volume.resolve("..2020_01_01_00_00_00.1/a"), "stale");
    Path rendered = tmp.resolve("rendered");
    VaultAgentWriter vault = VaultAgentWriter.of(rendered).backup(true);
    vault.render("token", "t1");
    vault.render("token", "t2");
    vault.leaveTemporary("half".getBytes(UTF_8));

    try (SecretStore store =
        SecretStore.builder().mount(volume).mount(rendered, "vault.").watch(false).build()) {
      assertThat(store.snapshot().names()).containsExactly("a", "vault.token");
      assertThat(store.require("a").asString()).isEqualTo("2");
      assertThat(store.require("vault.token").asString()).isEqualTo("t2");
    }
  }

  @Test
  void nestedItemIsFoundBeforeItsTopLevelLinkExists() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume)
        .writeStrings(Map.of("my-group/my-username", "u", "plain", "p"));
    // The window between the ..data rename and step 4 of the kubelet: no top-level link yet.
    Files.delete(volume.resolve("my-group"));
    Files.delete(volume.resolve("plain"));

    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      assertThat(store.snapshot().names()).containsExactly("my-group.my-username", "plain");
    }
  }

  @Test
  void csiDriverOrderReadsTheCommittedGenerationOnly() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter csi = KubernetesVolumeWriter.csiDriver(volume);
    csi.writeStrings(Map.of("a", "1"));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      csi.writeStrings(Map.of("a", "2", "b", "3"));
      assertThat(store.refresh().names()).containsExactly("a", "b");
      assertThat(store.require("b").asString()).isEqualTo("3");
    }
  }

  @Test
  void folderOfVolumesIsNamedLikeConfigTree() {
    Path root = tmp.resolve("config");
    KubernetesVolumeWriter.kubelet(root.resolve("db"))
        .writeStrings(Map.of("username", "u", "password", "p"));
    KubernetesVolumeWriter.kubelet(root.resolve("api"))
        .writeStrings(Map.of("token", "t", "nested/x", "n"));
    PlainDirectoryWriter.of(root.resolve("plain")).create("key", "k");

    try (SecretStore store = SecretStore.builder().mount(root).watch(false).build()) {
      assertThat(store.snapshot().names())
          .containsExactly("api.nested.x", "api.token", "db.password", "db.username", "plain.key");
    }
  }

  @Test
  void dockerSecretsDirectoryIsReadFileByFile() {
    Path run = tmp.resolve("run-secrets");
    PlainDirectoryWriter docker = PlainDirectoryWriter.of(run);
    docker.create("db_password", canary);
    docker.create(".hidden", "h");

    try (SecretStore store = SecretStore.builder().mount(run, "docker.").watch(false).build()) {
      assertThat(store.snapshot().names()).containsExactly("docker..hidden", "docker.db_password");
      assertThat(store.require("docker.db_password").valueEquals(canary.getBytes(UTF_8))).isTrue();
      assertThat(store.require("docker.db_password").origin())
          .isInstanceOfSatisfying(
              SecretOrigin.File.class,
              f -> assertThat(f.path()).isEqualTo(run.resolve("db_password")))
          .hasToString("file:" + run.resolve("db_password"));
    }
  }

  @Test
  void directoriesAndNonRegularFilesAreSkipped() throws Exception {
    Path run = tmp.resolve("plain");
    PlainDirectoryWriter.of(run).create("real", "r");
    Files.createDirectories(run.resolve("empty-dir"));
    Process mkfifo =
        new ProcessBuilder("mkfifo", run.resolve("pipe").toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    assertThat(Files.exists(run.resolve("pipe"))).isTrue();

    try (SecretStore store = SecretStore.builder().mount(run).watch(false).build()) {
      assertThat(store.snapshot().names()).containsExactly("real");
    }
  }

  @Test
  void environmentVariablesAndFileIndirection() throws Exception {
    Path file = tmp.resolve("db_password");
    Files.writeString(file, canary);
    SecretStore store =
        SecretStore.builder()
            .environment()
            .environmentVariables(Map.of("API_TOKEN", "tok", "DB_PASSWORD_FILE", file.toString()))
            .build();
    try (store) {
      assertThat(store.snapshot().names()).containsExactly("API_TOKEN", "DB_PASSWORD");
      assertThat(store.require("API_TOKEN").origin())
          .isEqualTo(SecretOrigin.environment("API_TOKEN"))
          .hasToString("env:API_TOKEN");
      assertThat(store.require("DB_PASSWORD").valueEquals(canary.getBytes(UTF_8))).isTrue();
      assertThat(store.require("DB_PASSWORD").origin())
          .isEqualTo(SecretOrigin.file(file))
          .hasToString("file:" + file);
    }
  }

  @Test
  void fileVariableNamingAMissingFileIsSkippedUnlessAPrefixAskedForIt() {
    Map<String, String> env =
        Map.of("TF_CLI_CONFIG_FILE", tmp.resolve("absent").toString(), "APP_X", "x");
    try (SecretStore store =
        SecretStore.builder().environment().environmentVariables(env).build()) {
      assertThat(store.snapshot().names()).containsExactly("APP_X");
    }
    assertThat(logs.text())
        .contains("TF_CLI_CONFIG_FILE names " + tmp.resolve("absent") + ", which does not exist");
    SecretStoreBuilder strict =
        SecretStore.builder()
            .environment("APP_")
            .environmentVariables(Map.of("APP_DB_FILE", tmp.resolve("absent").toString()));
    assertThatThrownBy(strict::build)
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "APP_DB_FILE names " + tmp.resolve("absent") + ", which does not exist");
  }

  @Test
  void environmentPrefixSelectsAndStripsVariables() {
    try (SecretStore store =
        SecretStore.builder()
            .environment("APP_")
            .environmentVariables(
                Map.of("APP_DB_PASSWORD", "x", "HOME", "/root", "APP_", "empty-name"))
            .build()) {
      assertThat(store.snapshot().names()).containsExactly("DB_PASSWORD");
    }
  }

  @Test
  void bothVariableAndFileVariableAreRefused() {
    SecretStoreBuilder builder =
        SecretStore.builder()
            .environment()
            .environmentVariables(Map.of("DB_PASSWORD", canary, "DB_PASSWORD_FILE", "/x"));
    assertThatThrownBy(builder::build)
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining("DB_PASSWORD and DB_PASSWORD_FILE are set")
        .hasMessageNotContaining(canary);
  }

  @Test
  void firstSourceThatHasANameWins() {
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    KubernetesVolumeWriter.kubelet(first).writeStrings(Map.of("password", "from-first"));
    KubernetesVolumeWriter.kubelet(second)
        .writeStrings(Map.of("password", "from-second", "only-second", "s"));

    try (SecretStore store =
        SecretStore.builder()
            .mount(first)
            .mount(second)
            .environment()
            .environmentVariables(Map.of("password", "from-env"))
            .watch(false)
            .build()) {
      assertThat(store.require("password").asString()).isEqualTo("from-first");
      assertThat(store.require("only-second").asString()).isEqualTo("s");
    }
  }

  static Stream<Arguments> trimmingCases() {
    return Stream.of(
        Arguments.of("unix", "u\n", "u"),
        Arguments.of("windows", "w\r\n", "w"),
        Arguments.of("two line breaks", "a\n\n", "a\n\n"),
        Arguments.of("pem", PEM, PEM),
        Arguments.of("no line break", "n", "n"),
        Arguments.of("empty", "", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trimmingCases")
  void trimmingDropsOneNewlineFromSingleLineValuesOnly(
      String label, String written, String trimmed) {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("key", written));
    try (SecretStore verbatimStore = SecretStore.builder().mount(volume).watch(false).build();
        SecretStore trimmingStore =
            SecretStore.builder().mount(volume).watch(false).trimTrailingNewline(true).build()) {
      assertThat(verbatimStore.require("key").asString()).isEqualTo(written);
      assertThat(trimmingStore.require("key").asString()).isEqualTo(trimmed);
    }
  }

  @Test
  void requireNamesTheKeyAndTheSourcesSearched() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", canary));
    try (SecretStore store = SecretStore.builder().mount(volume, "db.").watch(false).build()) {
      assertThatThrownBy(() -> store.require("db.password"))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("'db.password'")
          .hasMessageContaining("mount:" + volume)
          .hasMessageNotContaining(canary);
      assertThat(store.get("db.password")).isEmpty();
    }
  }

  @Test
  void noStringFormOfAStoreOrItsValuesShowsAValue() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("password", canary));
    try (SecretStore store = SecretStore.builder().mount(volume).watch(false).build()) {
      writer.writeStrings(Map.of("password", canary + "-2"));
      store.refresh();
      Secret secret = store.require("password");
      assertThat(secret.toString()).contains("password").doesNotContain(canary);
      assertThat(String.valueOf(store.snapshot())).doesNotContain(canary);
      assertThat(String.valueOf(store)).doesNotContain(canary);
      assertThat(String.valueOf(store.health())).doesNotContain(canary);
      assertThat(String.format("%s", secret)).doesNotContain(canary);
    }
  }

  @Test
  void builderChecksOptionsAsTheyAreSet() {
    SecretStoreBuilder builder = SecretStore.builder().maxSecretBytes(10);
    assertThatThrownBy(() -> builder.maxSecretBytes(20))
        .hasMessage("maximum secret size was already set to 10");
    assertThatThrownBy(() -> SecretStore.builder().pollInterval(java.time.Duration.ofSeconds(-1)))
        .hasMessage("poll interval cannot be negative: PT-1S");
    assertThatThrownBy(() -> SecretStore.builder().mount(tmp).mount(tmp))
        .hasMessageStartingWith("mount was already added");
  }
}
