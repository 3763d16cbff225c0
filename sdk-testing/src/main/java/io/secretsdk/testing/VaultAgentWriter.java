package io.secretsdk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Random;

/**
 * Renders files the way Vault Agent templates (and similar renderers such as consul-template) do:
 * the new content goes to an all-digit temporary file in the same directory, which is then renamed
 * over the destination, so every render is a new inode. Optionally keeps a {@code <name>.bak} copy
 * of the previous content. Not thread-safe.
 */
public final class VaultAgentWriter {

  private final Path directory;
  private final Random random = new Random();
  private boolean backup;

  private VaultAgentWriter(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** A writer for {@code directory}, created if missing. */
  public static VaultAgentWriter of(Path directory) {
    return new VaultAgentWriter(directory);
  }

  /** Whether to keep the previous content as {@code <name>.bak} (default {@code false}). */
  public VaultAgentWriter backup(boolean backup) {
    this.backup = backup;
    return this;
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** Renders {@code name} with the given bytes through an all-digit temporary file and a rename. */
  public Path render(String name, byte[] value) {
    try {
      Files.createDirectories(directory);
      Path destination = directory.resolve(name);
      if (backup && Files.exists(destination)) {
        Files.copy(
            destination, directory.resolve(name + ".bak"), StandardCopyOption.REPLACE_EXISTING);
      }
      Path temp =
          directory.resolve(Long.toString(Math.abs(random.nextLong() % 10_000_000_000L) + 1));
      Files.write(temp, value);
      Files.move(
          temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return destination;
    } catch (IOException e) {
      throw new UncheckedIOException("could not render " + name + " in " + directory, e);
    }
  }

  /** {@link #render(String, byte[])} with a UTF-8 value. */
  public Path render(String name, String value) {
    return render(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the all-digit temporary file and stops before the rename, as a renderer caught mid-write
   * would leave it; returns the temporary file.
   */
  public Path leaveTemporary(byte[] partialValue) {
    try {
      Files.createDirectories(directory);
      Path temp =
          directory.resolve(Long.toString(Math.abs(random.nextLong() % 10_000_000_000L) + 1));
      Files.write(temp, partialValue);
      return temp;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a temporary file in " + directory, e);
    }
  }
}
