package io.secretsdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads one opened secret file with the size limit, and words the errors about single files. Checks
 * what was actually opened: a channel that cannot report its position is not a regular file (a FIFO
 * or socket renamed over the entry between the type check and the open) and is refused. Thread-safe
 * (stateless apart from its settings).
 */
final class SecretFileReader {

  private final String source;
  private final ReadSettings settings;

  SecretFileReader(String source, ReadSettings settings) {
    this.source = source;
    this.settings = settings;
  }

  /**
   * Reads the whole of an opened file.
   *
   * <p>With positional reads ({@code pread}) where the channel is a {@link FileChannel}: the first
   * read fails on a FIFO or socket (they cannot seek), which proves what was opened without the
   * {@code lseek} and {@code fstat} a position and size query would cost per file. {@code
   * expectedSize} (the size {@code lstat} gave before the open) only sizes the buffer: a file that
   * shrank or grew since is read to its end all the same, within the limit, and the caller's
   * identity check sees the change.
   *
   * @param directory with {@code name}, the path as the application sees it, for messages ({@code
   *     name} may be null when {@code directory} is the file)
   * @param probe a one-byte buffer the caller may reuse, to see whether the file grew
   * @throws SecretReadException when the file is not regular or over the limit
   */
  byte[] read(
      SeekableByteChannel channel, long expectedSize, Path directory, String name, ByteBuffer probe)
      throws IOException {
    if (!(channel instanceof FileChannel file)) {
      return readSequentially(channel, directory, name, probe);
    }
    checkSize(directory, name, expectedSize);
    int limit = (int) Math.min(settings.maxSecretBytes(), Integer.MAX_VALUE - 16);
    byte[] value = new byte[(int) expectedSize];
    ByteBuffer buffer = ByteBuffer.wrap(value);
    long position = 0;
    while (buffer.hasRemaining()) {
      int r = positionalRead(file, buffer, position, directory, name);
      if (r < 0) {
        // Shrank since the size was taken: the caller's identity check sees the change.
        return Arrays.copyOf(value, (int) position);
      }
      position += r;
    }
    probe.clear();
    if (positionalRead(file, probe, position, directory, name) <= 0) {
      return value;
    }
    // It grew while being read: read on, within the limit.
    return readOn(value, probe.get(0), limit, directory, name, file::read);
  }

  /** Reads into {@code buffer} at {@code position}: {@code -1} at the end of the file. */
  private interface ChunkReader {
    int read(ByteBuffer buffer, long position) throws IOException;
  }

  /**
   * The rest of a file that held more than {@code value}: {@code next} is the byte after it, and
   * the file is read on to its end or until it is over {@code limit}.
   */
  private byte[] readOn(
      byte[] value, byte next, int limit, Path directory, String name, ChunkReader reader)
      throws IOException {
    byte[] grown = Arrays.copyOf(value, Math.min(limit + 1, Math.max(value.length * 2, 8192)));
    grown[value.length] = next;
    int n = value.length + 1;
    while (n <= limit) {
      if (n == grown.length) {
        grown = Arrays.copyOf(grown, (int) Math.min(limit + 1L, grown.length * 2L));
      }
      int r = reader.read(ByteBuffer.wrap(grown, n, grown.length - n), n);
      if (r < 0) {
        return Arrays.copyOf(grown, n);
      }
      n += r;
    }
    throw oversize(shown(directory, name), "more than " + limit);
  }

  /** A {@code pread}; at position 0, a channel that cannot seek is refused as not regular. */
  private int positionalRead(
      FileChannel file, ByteBuffer buffer, long position, Path directory, String name)
      throws IOException {
    try {
      return file.read(buffer, position);
    } catch (IOException e) {
      if (position == 0 && !seekable(file)) {
        // ESPIPE: a FIFO or socket was swapped in after the type check.
        throw notRegular(
            shown(directory, name), "was replaced by a FIFO or socket while it was opened");
      }
      throw e;
    }
  }

  private static boolean seekable(FileChannel file) {
    try {
      file.position();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The same for channels without positional reads (not seen on Linux or macOS). */
  private byte[] readSequentially(
      SeekableByteChannel channel, Path directory, String name, ByteBuffer probe)
      throws IOException {
    long size;
    try {
      channel.position();
      size = channel.size();
    } catch (IOException e) {
      // ESPIPE: a FIFO or socket was swapped in after the type check.
      throw notRegular(
          shown(directory, name), "was replaced by a FIFO or socket while it was opened");
    }
    checkSize(directory, name, size);
    int limit = (int) Math.min(settings.maxSecretBytes(), Integer.MAX_VALUE - 16);
    byte[] value = new byte[(int) size];
    ByteBuffer buffer = ByteBuffer.wrap(value);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        return Arrays.copyOf(value, buffer.position());
      }
    }
    probe.clear();
    if (channel.read(probe) <= 0) {
      return value;
    }
    return readOn(
        value, probe.get(0), limit, directory, name, (chunk, position) -> channel.read(chunk));
  }

  private static Path shown(Path directory, String name) {
    return name == null ? directory : directory.resolve(name);
  }

  private void checkSize(Path directory, String name, long size) {
    if (size > settings.maxSecretBytes()) {
      throw oversize(shown(directory, name), Long.toString(size));
    }
  }

  /** The largest value accepted. */
  long maxBytes() {
    return settings.maxSecretBytes();
  }

  /** The value as the store keeps it (see {@link ReadSettings#finish}). */
  byte[] finish(byte[] value) {
    return settings.finish(value);
  }

  static boolean sameIdentity(BasicFileAttributes a, BasicFileAttributes b) {
    return a.size() == b.size()
        && a.lastModifiedTime().equals(b.lastModifiedTime())
        && Objects.equals(a.fileKey(), b.fileKey());
  }

  void checkSize(Path shown, long size) {
    if (size > settings.maxSecretBytes()) {
      throw oversize(shown, Long.toString(size));
    }
  }

  /** The one wording of "too large": names the file and both sizes, never the content. */
  SecretReadException oversize(Path shown, String size) {
    return new SecretReadException(
        source,
        "file "
            + shown
            + " is "
            + size
            + " bytes, over the limit of "
            + settings.maxSecretBytes()
            + " bytes; raise "
            + settings.maxSecretBytesSetting()
            + " if this file really is a secret");
  }

  SecretReadException notRegular(Path shown, String what) {
    return new SecretReadException(
        source, "file " + shown + " " + what + "; it is not a regular file and is not read");
  }

  /** An open or listing failed: names the path and the operating system's reason. */
  SecretReadException cannotRead(Path shown, boolean directory, IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return new SecretReadException(
          source,
          (directory ? "directory " : "file ")
              + shown
              + " is not readable by this process; check the volume's defaultMode, fsGroup or runAsUser",
          e);
    }
    return new SecretReadException(
        source,
        (directory ? "directory " : "file ") + shown + " cannot be read: " + BoundedRead.reason(e),
        e);
  }

  String keptChanging(Path shown, int attempts) {
    return "file "
        + shown
        + " kept changing while it was read ("
        + attempts
        + (attempts == 1 ? " attempt" : " attempts")
        + "); the last good value is kept and the file is read again after it settles";
  }
}
