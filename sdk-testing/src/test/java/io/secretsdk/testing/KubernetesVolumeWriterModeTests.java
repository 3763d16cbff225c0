package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that is not root must be able to write the next generation after one written with {@code
 * defaultMode} 000, whose files it cannot read back. Root reads every file, so when the tests run
 * as root the check runs in a child JVM as user {@code nobody} (65534).
 */
@EnabledOnOs(OS.LINUX)
class KubernetesVolumeWriterModeTests {

  @TempDir Path tmp;

  /** What the child JVM runs: three generations with mode 000, the last by a fresh writer. */
  public static void main(String[] args) {
    Path volume = Path.of(args[0]);
    writeThreeGenerations(volume);
    System.out.println("generations written");
  }

  static void writeThreeGenerations(Path volume) {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume).defaultMode("---------");
    writer.writeStrings(Map.of("key", "1"));
    writer.writeStrings(Map.of("key", "2"));
    KubernetesVolumeWriter.kubelet(volume)
        .defaultMode("---------")
        .writeStrings(Map.of("key", "3"));
  }

  @Test
  void nonRootWriterWritesAgainAfterAGenerationItCannotRead() throws Exception {
    Path volume = tmp.resolve("vol");
    if (!"root".equals(System.getProperty("user.name"))) {
      writeThreeGenerations(volume);
    } else {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child =
          new ProcessBuilder(
                  "setpriv",
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  KubernetesVolumeWriterModeTests.class.getName(),
                  volume.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(child.getInputStream().readAllBytes());
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(output).contains("generations written");
      assertThat(child.exitValue()).isZero();
    }
    assertThat(readData(volume, "key")).isEqualTo("3");
  }

  private static String readData(Path volume, String key) throws IOException {
    return Files.readString(
        volume.resolve(Files.readSymbolicLink(volume.resolve("..data"))).resolve(key));
  }
}
