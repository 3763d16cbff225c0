package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The writer against section 2.2 of the design: one read-only regular file per secret. */
class PlainDirectoryWriterTests {

  @TempDir Path tmp;

  @Test
  void createWritesOneRegularFilePerSecret() throws Exception {
    PlainDirectoryWriter docker = PlainDirectoryWriter.of(tmp.resolve("run/secrets"));
    Path file = docker.create("db_password", "s3cret");
    assertThat(file).isEqualTo(tmp.resolve("run/secrets/db_password"));
    assertThat(Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.readString(file)).isEqualTo("s3cret");
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void createdFilesAreReadOnly0444() throws Exception {
    Path file = PlainDirectoryWriter.of(tmp).create("db_password", "s3cret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--r--r--");
  }

  @Test
  void dockerNeverReplacesAnExistingSecret() {
    PlainDirectoryWriter docker = PlainDirectoryWriter.of(tmp);
    docker.create("token", "one");
    assertThatThrownBy(() -> docker.create("token", "two"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("token");
  }

  @Test
  void overwriteInPlaceKeepsTheInode() throws Exception {
    PlainDirectoryWriter hand = PlainDirectoryWriter.of(tmp);
    Path file = hand.overwriteInPlace("config", "first-longer-value");
    Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    hand.overwriteInPlace("config", "second");
    assertThat(Files.readString(file)).isEqualTo("second");
    assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isEqualTo(inode);
  }

  @Test
  void removeDeletesTheFile() {
    PlainDirectoryWriter docker = PlainDirectoryWriter.of(tmp);
    Path file = docker.create("token", "one");
    docker.remove("token");
    assertThat(Files.exists(file)).isFalse();
  }
}
