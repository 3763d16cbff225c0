package io.secretsdk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * Writes a plain directory of secret files the way Docker Swarm and Compose lay out {@code
 * /run/secrets} (one regular file per secret, mode 0444), or the way a person edits files by hand
 * ({@link #overwriteInPlace}). Not thread-safe.
 */
public final class PlainDirectoryWriter {

  private final Path directory;

  private PlainDirectoryWriter(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** A writer for {@code directory}, created if missing. */
  public static PlainDirectoryWriter of(Path directory) {
    return new PlainDirectoryWriter(directory);
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** Creates {@code name} with the given bytes, mode 0444, as Docker does when a task starts. */
  public Path create(String name, byte[] value) {
    try {
      Files.createDirectories(directory);
      Path file = directory.resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, value, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
      } catch (UnsupportedOperationException e) {
        // Not POSIX.
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + name + " in " + directory, e);
    }
  }

  /** {@link #create(String, byte[])} with a UTF-8 value. */
  public Path create(String name, String value) {
    return create(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Truncates and rewrites {@code name} in place (same inode), as an editor or a script would. */
  public Path overwriteInPlace(String name, byte[] value) {
    try {
      Files.createDirectories(directory);
      Path file = directory.resolve(name);
      if (Files.exists(file)) {
        file.toFile().setWritable(true, true);
      }
      Files.write(
          file,
          value,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + name + " in " + directory, e);
    }
  }

  /** {@link #overwriteInPlace(String, byte[])} with a UTF-8 value. */
  public Path overwriteInPlace(String name, String value) {
    return overwriteInPlace(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Deletes {@code name}. */
  public void remove(String name) {
    try {
      Files.deleteIfExists(directory.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + name + " from " + directory, e);
    }
  }
}
