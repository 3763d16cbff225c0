package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure 2 of the reliability issue: directory links followed outside the mount or into loops by
 * the fingerprint and the watcher's walk. One scan with one rule serves every walk now.
 */
class LinkLoopTests {

  static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path tmp;
  String canary;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;

  @BeforeEach
  void captureLogs(Canaries canaries, LogCapture logs) {
    this.logs = logs;
    canary = canaries.next("value");
  }

  @Test
  void twoLinksBackToTheMountFailTheBuildFastNamingTheLink() throws Exception {
    Path dir = tmp.resolve("plain");
    PlainDirectoryWriter.of(dir).create("key", canary);
    Files.createSymbolicLink(dir.resolve("a"), Path.of("."));
    Files.createSymbolicLink(dir.resolve("b"), Path.of("."));

    assertTimeoutPreemptively(
        BOUND,
        () ->
            assertThatThrownBy(() -> SecretStore.builder().mount(dir).build())
                .isInstanceOf(SecretReadException.class)
                .hasMessageContaining("link " + dir.resolve("a"))
                .hasMessageContaining("loop")
                .hasMessageNotContaining(canary));
  }

  @Test
  void linkToTheFileSystemRootIsRefusedEvenForAnOptionalMount() throws Exception {
    Path dir = tmp.resolve("plain");
    PlainDirectoryWriter.of(dir).create("key", canary);
    Files.createSymbolicLink(dir.resolve("root"), Path.of("/"));

    assertTimeoutPreemptively(
        BOUND,
        () -> {
          assertThatThrownBy(() -> SecretStore.builder().mount(dir).build())
              .isInstanceOf(SecretReadException.class)
              .hasMessageContaining("link " + dir.resolve("root") + " resolves outside the mount");
          try (SecretStore store = SecretStore.builder().optionalMount(dir).build()) {
            assertThat(store.snapshot().names()).isEmpty();
            assertThat(store.health().lastError())
                .hasValueSatisfying(m -> assertThat(m).contains("link " + dir.resolve("root")));
          }
        });
  }

  @Test
  void loopAppearingUnderAWatchingStoreLeavesRefreshAndCloseBounded() throws Exception {
    Path dir = tmp.resolve("plain");
    PlainDirectoryWriter.of(dir).create("key", canary);
    SecretStore store =
        SecretStore.builder().mount(dir).pollInterval(Duration.ofMillis(100)).build();
    try {
      Files.createSymbolicLink(dir.resolve("a"), Path.of("."));
      Files.createSymbolicLink(dir.resolve("b"), Path.of("."));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(store.health().lastError())
                      .hasValueSatisfying(
                          m ->
                              assertThat(m).contains("link " + dir.resolve("a")).contains("loop")));
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
      assertTimeoutPreemptively(
          BOUND, () -> assertThatThrownBy(store::refresh).isInstanceOf(SecretReadException.class));
      assertThat(store.require("key").valueEquals(canary.getBytes())).isTrue();

      Files.delete(dir.resolve("a"));
      Files.delete(dir.resolve("b"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.health().status() == SecretStoreHealth.Status.UP);
    } finally {
      assertTimeoutPreemptively(BOUND, store::close);
    }
  }
}
