package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer against section 2.3 of the design: all-digit temporary file, rename, optional backup.
 */
class VaultAgentWriterTests {

  @TempDir Path tmp;

  @Test
  void everyRenderIsANewInodeAndLeavesNoTemporaryFile() throws Exception {
    VaultAgentWriter vault = VaultAgentWriter.of(tmp);
    Path file = vault.render("token", "one");
    Object first = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    vault.render("token", "two");
    assertThat(Files.readString(file)).isEqualTo("two");
    assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(first);
    assertThat(names()).containsExactly("token");
  }

  @Test
  void backupKeepsThePreviousContent() throws Exception {
    VaultAgentWriter vault = VaultAgentWriter.of(tmp).backup(true);
    vault.render("token", "one");
    vault.render("token", "two");
    assertThat(Files.readString(tmp.resolve("token.bak"))).isEqualTo("one");
    assertThat(names()).containsExactlyInAnyOrder("token", "token.bak");
  }

  @Test
  void renderCaughtMidWriteLeavesAnAllDigitTemporaryFile() throws Exception {
    Path temp = VaultAgentWriter.of(tmp).leaveTemporary("partial".getBytes());
    assertThat(temp.getParent()).isEqualTo(tmp);
    assertThat(temp.getFileName().toString()).matches("\\d+");
    assertThat(Files.readString(temp)).isEqualTo("partial");
  }

  private List<String> names() throws Exception {
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
