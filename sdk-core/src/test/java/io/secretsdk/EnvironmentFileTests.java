package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code NAME_FILE} variables whose value is empty or names something that cannot be read. */
class EnvironmentFileTests {

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;

  @BeforeEach
  void captureLogs(LogCapture logs) {
    this.logs = logs;
  }

  @Test
  void emptyNameFileIsAnErrorNotTheWorkingDirectory() {
    assertThatThrownBy(
            () ->
                SecretStore.builder()
                    .environment("APP_")
                    .environmentVariables(Map.of("APP_KEY_FILE", ""))
                    .build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "APP_KEY_FILE is empty; set it to the path of the secret file or unset it");
    try (SecretStore store =
        SecretStore.builder()
            .environment()
            .environmentVariables(Map.of("KEY_FILE", "", "OTHER", "o"))
            .build()) {
      assertThat(store.snapshot().names()).containsExactly("OTHER");
    }
    assertThat(logs.text()).contains("KEY_FILE is empty");
  }

  @Test
  void unreadableNameFileGivesTheOperatingSystemsReason() throws Exception {
    Path loop = tmp.resolve("loop");
    Files.createSymbolicLink(loop, loop);
    assertThatThrownBy(
            () ->
                SecretStore.builder()
                    .environment("APP_")
                    .environmentVariables(Map.of("APP_KEY_FILE", loop.toString()))
                    .build())
        .isInstanceOf(SecretReadException.class)
        .hasMessageContaining(
            "APP_KEY_FILE names "
                + loop
                + ", which cannot be read: Too many levels of symbolic links")
        .hasMessageNotContaining("IOException")
        .hasMessageNotContaining("FileSystemException");
  }

  @Test
  void nameFileNamingADirectoryIsRefused() {
    assertThatThrownBy(
            () ->
                SecretStore.builder()
                    .environment("APP_")
                    .environmentVariables(Map.of("APP_KEY_FILE", tmp.toString()))
                    .build())
        .hasMessageContaining(
            "APP_KEY_FILE names " + tmp + ", which is not a regular file (a directory)");
  }

  @Test
  void nameFileThroughALinkIsRead() throws Exception {
    Path file = Files.writeString(tmp.resolve("real"), "v");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
    try (SecretStore store =
        SecretStore.builder()
            .environment("APP_")
            .environmentVariables(Map.of("APP_KEY_FILE", link.toString()))
            .build()) {
      assertThat(store.require("KEY").asString()).isEqualTo("v");
    }
  }
}
