package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SecretsConfigSourceTests {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private SystemProperties properties;
  private String canary;
  private String rotatedCanary;
  private LogCapture logs;
  private Path volume;
  private KubernetesVolumeWriter writer;

  @BeforeEach
  void writeVolume(Canaries canaries, SystemProperties properties, LogCapture logs) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    this.properties = properties;
    this.logs = logs;
    volume = tmp.resolve("db");
    writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "app\n", "password", canary + "\n"));
  }

  @AfterEach
  void cleanUp() {
    SharedSecretStores.closeAll();
  }

  private SmallRyeConfig discoveredConfig() {
    return new SmallRyeConfigBuilder().addDiscoveredSources().build();
  }

  private static SecretsConfigSource secretsSource(SmallRyeConfig config) {
    return StreamSupport.stream(config.getConfigSources().spliterator(), false)
        .filter(SecretsConfigSource.class::isInstance)
        .map(SecretsConfigSource.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private static Set<String> secretsdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("secretsdk-"))
        .collect(Collectors.toSet());
  }

  @Test
  void sourceIsDiscoveredFromTheSystemPropertyWithTheDefaultOrdinal() {
    properties.set("secretsdk.mounts", volume + "=db");

    SmallRyeConfig config = discoveredConfig();

    SecretsConfigSource source = secretsSource(config);
    assertThat(source.getOrdinal()).isEqualTo(275);
    assertThat(source.getName())
        .isEqualTo("secretsdk[mount:" + volume.toAbsolutePath().normalize() + "]");
    assertThat(config.getValue("db.username", String.class)).isEqualTo("app");
    assertThat(config.getValue("db.password", String.class)).isEqualTo(canary);
    assertThat(source.getPropertyNames()).containsExactly("db.password", "db.username");
    assertThat(source.getProperties()).containsOnlyKeys("db.password", "db.username");
    ConfigValue value = config.getConfigValue("db.username");
    assertThat(value.getSourceName()).isEqualTo(source.getName());
    assertThat(value.getSourceOrdinal()).isEqualTo(275);
    assertThat(source.toString()).doesNotContain(canary).contains("revision=1");
  }

  @Test
  void getValueFollowsAKubeletRotation() {
    properties.set("secretsdk.mounts", volume + "=db");
    SmallRyeConfig config = discoveredConfig();
    assertThat(config.getValue("db.password", String.class)).isEqualTo(canary);

    writer.writeStrings(
        Map.of("username", "app\n", "password", rotatedCanary + "\n", "token", "t"));

    await()
        .atMost(PATIENCE)
        .until(() -> config.getValue("db.password", String.class).equals(rotatedCanary));
    assertThat(config.getValue("db.token", String.class)).isEqualTo("t");
    assertThat(config.getConfigValue("db.password").getValue()).isEqualTo(rotatedCanary);

    writer.writeStrings(Map.of("username", "app\n", "password", rotatedCanary + "\n"));

    await()
        .atMost(PATIENCE)
        .until(() -> config.getOptionalValue("db.token", String.class).isEmpty());
  }

  @Test
  void pollingAloneFollowsARotationWhenWatchingIsOff() {
    properties.set("secretsdk.mounts", volume + "=db");
    properties.set("secretsdk.watch", "false");
    properties.set("secretsdk.poll-interval", "100");
    SmallRyeConfig config = discoveredConfig();
    assertThat(secretsSource(config).store().health().sources())
        .allMatch(s -> s.watchMode() == io.secretsdk.WatchMode.POLLING);

    writer.writeStrings(Map.of("username", "app\n", "password", rotatedCanary + "\n"));

    await()
        .atMost(PATIENCE)
        .until(() -> config.getValue("db.password", String.class).equals(rotatedCanary));
  }

  @Test
  void nestedItemsAndDotfileKeysAreReachable() {
    Path nested = tmp.resolve("nested");
    KubernetesVolumeWriter.kubelet(nested)
        .writeStrings(
            Map.of("my-group/my-username", "alice", ".secret-file", "dot", "deep/er/key", "k"));
    properties.set("secretsdk.mounts", nested.toString());

    SmallRyeConfig config = discoveredConfig();

    assertThat(config.getValue("my-group.my-username", String.class)).isEqualTo("alice");
    assertThat(config.getValue(".secret-file", String.class)).isEqualTo("dot");
    assertThat(config.getValue("deep.er.key", String.class)).isEqualTo("k");
    assertThat(config.getValue("MY_GROUP_MY_USERNAME", String.class)).isEqualTo("alice");
  }

  @Test
  void environmentStyleNamesLineUpInBothDirections() {
    Path plain = tmp.resolve("run-secrets");
    PlainDirectoryWriter files = PlainDirectoryWriter.of(plain);
    files.create("DB_PASSWORD", canary);
    files.create("api-token", "tok");
    files.create("mail.user", "bob");
    properties.set("secretsdk.mounts", plain.toString());

    SmallRyeConfig config = discoveredConfig();

    assertThat(config.getValue("db.password", String.class)).isEqualTo(canary);
    assertThat(config.getValue("api.token", String.class)).isEqualTo("tok");
    assertThat(config.getValue("MAIL_USER", String.class)).isEqualTo("bob");
    assertThat(secretsSource(config).resolve("db.password")).isEqualTo("DB_PASSWORD");
    assertThat(config.getOptionalValue("db.passwords", String.class)).isEmpty();
  }

  @Test
  void oversizeFileKeepsLastGoodValuesAndIsReported() {
    properties.set("secretsdk.mounts", volume + "=db").set("secretsdk.max-secret-bytes", "200");
    SmallRyeConfig config = discoveredConfig();
    SecretStore store = secretsSource(config).store();

    writer.writeStrings(Map.of("username", "app2\n", "password", rotatedCanary + "x".repeat(300)));

    await()
        .atMost(PATIENCE)
        .until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.health().lastError())
        .get()
        .asString()
        .contains("password")
        .contains("over the limit of 200 bytes")
        .contains("raise secretsdk.max-secret-bytes ")
        .doesNotContain("maxSecretBytes");
    assertThat(config.getValue("db.password", String.class)).isEqualTo(canary);
    assertThat(config.getValue("db.username", String.class)).isEqualTo("app");
    assertThatThrownBy(store::refresh)
        .hasMessageContaining("over the limit")
        .hasMessageNotContaining(rotatedCanary);
    assertThat(store.health().toString()).doesNotContain(canary).doesNotContain(rotatedCanary);
  }

  @Test
  void symlinkEscapingTheMountKeepsLastGoodValuesAndIsReported() throws IOException {
    Path plain = tmp.resolve("plain");
    PlainDirectoryWriter files = PlainDirectoryWriter.of(plain);
    files.create("password", canary);
    Path outside = Files.writeString(tmp.resolve("outside"), rotatedCanary);
    properties.set("secretsdk.mounts", plain.toString());
    SmallRyeConfig config = discoveredConfig();
    SecretStore store = secretsSource(config).store();

    Files.createSymbolicLink(plain.resolve("escape"), outside);

    await()
        .atMost(PATIENCE)
        .until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.health().lastError()).get().asString().contains("resolves outside the mount");
    assertThat(config.getValue("password", String.class)).isEqualTo(canary);
    assertThat(config.getOptionalValue("escape", String.class)).isEmpty();
  }

  @Test
  void binaryValueIsReportedByNameAndNotServed() {
    byte[] binary = Arrays.copyOf(canary.getBytes(StandardCharsets.UTF_8), canary.length() + 2);
    binary[binary.length - 2] = (byte) 0xC3;
    binary[binary.length - 1] = (byte) 0x28;
    Path keys = tmp.resolve("keys");
    KubernetesVolumeWriter.kubelet(keys)
        .write(Map.of("keystore.p12", binary, "alias", "app".getBytes(StandardCharsets.UTF_8)));
    properties.set("secretsdk.mounts", keys.toString());

    SmallRyeConfig config = discoveredConfig();

    SecretsConfigSource source = secretsSource(config);
    assertThat(config.getValue("alias", String.class)).isEqualTo("app");
    assertThatThrownBy(() -> config.getValue("keystore.p12", String.class))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageNotContaining(canary);
    assertThat(source.getPropertyNames()).containsExactly("alias");
    assertThat(source.properties().binaryNames()).containsExactly("keystore.p12");
    assertThat(source.store().require("keystore.p12").bytes()).isEqualTo(binary);
    assertThat(logs.text()).contains("keystore.p12").contains("not valid UTF-8");
  }

  @Test
  void nothingIsRegisteredAndNoThreadStartsWithoutMounts() {
    properties.set("secretsdk.mounts", null);
    Set<String> before = secretsdkThreads();

    SmallRyeConfig config = discoveredConfig();

    assertThat(new SecretsConfigSourceProvider().getConfigSources(getClass().getClassLoader()))
        .isEmpty();
    assertThat(config.getConfigSources()).noneMatch(SecretsConfigSource.class::isInstance);
    assertThat(secretsdkThreads()).isSubsetOf(before);
  }

  @Test
  void providerCalledAgainSharesOneStore() {
    properties.set("secretsdk.mounts", volume + "=db");
    SecretsConfigSourceProvider provider = new SecretsConfigSourceProvider();

    ConfigSource first = provider.getConfigSources(getClass().getClassLoader()).iterator().next();
    ConfigSource second = provider.getConfigSources(getClass().getClassLoader()).iterator().next();
    SecretsConfigSource fromConfig = secretsSource(discoveredConfig());

    assertThat(second).isSameAs(first);
    assertThat(fromConfig).isSameAs(first);
    assertThat(SharedSecretStores.shutdownHookRegistered()).isTrue();
    SharedSecretStores.release(fromConfig);
    assertThat(fromConfig.store().health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
    assertThat(SharedSecretStores.shutdownHookRegistered())
        .as("no hook pins the class loader")
        .isFalse();
    assertThat(fromConfig.getValue("db.username")).as("last values stay readable").isEqualTo("app");
    SecretsConfigSource fresh =
        (SecretsConfigSource)
            provider.getConfigSources(getClass().getClassLoader()).iterator().next();
    assertThat(fresh).isNotSameAs(first);
    assertThat(fresh.store().health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(SharedSecretStores.shutdownHookRegistered()).isTrue();
  }

  @Test
  void ordinalAndTrimmingAreConfigurable() {
    properties
        .set("secretsdk.mounts", volume + "=db")
        .set("secretsdk.ordinal", "150")
        .set("secretsdk.trim-trailing-newline", "false");

    SmallRyeConfig config = discoveredConfig();

    assertThat(secretsSource(config).getOrdinal()).isEqualTo(150);
    assertThat(config.getValue("db.username", String.class)).isEqualTo("app\n");
  }

  @Test
  void multiLineValuesKeepTheirFinalNewline() {
    Path tls = tmp.resolve("tls");
    String pem = "-----BEGIN PRIVATE KEY-----\n" + canary + "\n-----END PRIVATE KEY-----\n";
    KubernetesVolumeWriter.kubelet(tls).writeStrings(Map.of("tls.key", pem));
    properties.set("secretsdk.mounts", tls.toString());

    assertThat(discoveredConfig().getValue("tls.key", String.class)).isEqualTo(pem);
  }

  @Test
  void missingRequiredMountFailsWithAMessageNamingIt() {
    Path missing = tmp.resolve("missing");
    properties.set("secretsdk.mounts", missing.toString());

    assertThatThrownBy(this::discoveredConfig)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void optionalMissingMountStartsEmptyAndPicksUpTheDirectory() {
    Path later = tmp.resolve("later");
    properties.set("secretsdk.mounts", "optional:" + later);
    SmallRyeConfig config = discoveredConfig();
    assertThat(config.getOptionalValue("password", String.class)).isEmpty();

    KubernetesVolumeWriter.kubelet(later).writeStrings(Map.of("password", canary));

    await()
        .atMost(PATIENCE)
        .until(() -> config.getOptionalValue("password", String.class).isPresent());
    assertThat(config.getValue("password", String.class)).isEqualTo(canary);
  }

  @Test
  void lookupsAllocateNothingOnceTheSnapshotIsIndexed() {
    properties.set("secretsdk.mounts", volume + "=db");
    SecretsConfigSource source = secretsSource(discoveredConfig());
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    String[] asked = {
      "db.password", "DB_USERNAME", "quarkus.http.port", "mp.messaging.incoming.x", "db-passwordx"
    };
    int found = 0;
    for (int round = 0; round < 20_000; round++) {
      found += source.getValue(asked[round % asked.length]) != null ? 1 : 0;
    }

    long before = threads.getThreadAllocatedBytes(thread);
    for (int round = 0; round < 100_000; round++) {
      found += source.getValue(asked[round % asked.length]) != null ? 1 : 0;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;

    assertThat(found).isEqualTo(2 * 120_000 / asked.length);
    // 100,000 lookups, hits and misses: anything per call would be megabytes.
    assertThat(allocated).isLessThan(64 * 1024);
  }

  @Test
  void ofWrapsAStoreTheCallerOwns() {
    try (SecretStore store = SecretStore.builder().mount(volume).build()) {
      SecretsConfigSource source = SecretsConfigSource.of(store, 500);
      SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(source).build();

      assertThat(config.getValue("password", String.class)).isEqualTo(canary + "\n");
      assertThat(source.getOrdinal()).isEqualTo(500);
      assertThat(SharedSecretStores.owns(source)).isFalse();
    }
  }
}
