package io.secretsdk;

import java.io.IOException;
import java.nio.ByteBuffer;
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
   * @param shown the path as the application sees it, for messages
   * @param probe a one-byte buffer the caller may reuse, to see whether the file grew
   * @throws SecretReadException when the file is not regular or over the limit
   */
  byte[] read(SeekableByteChannel channel, Path shown, ByteBuffer probe) throws IOException {
    long size;
    try {
      channel.position();
      size = channel.size();
    } catch (IOException e) {
      // ESPIPE: a FIFO or socket was swapped in after the type check.
      throw notRegular(shown, "was replaced by a FIFO or socket while it was opened");
    }
    checkSize(shown, size);
    int limit = (int) Math.min(settings.maxSecretBytes(), Integer.MAX_VALUE - 16);
    byte[] value = new byte[(int) size];
    ByteBuffer buffer = ByteBuffer.wrap(value);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        // Shrank since the size was taken: the caller's identity check sees the change.
        return Arrays.copyOf(value, buffer.position());
      }
    }
    probe.clear();
    if (channel.read(probe) <= 0) {
      return value;
    }
    // It grew while being read: read on, within the limit.
    byte[] grown = Arrays.copyOf(value, Math.min(limit + 1, Math.max(value.length * 2, 8192)));
    grown[value.length] = probe.get(0);
    int n = value.length + 1;
    while (n <= limit) {
      if (n == grown.length) {
        grown = Arrays.copyOf(grown, (int) Math.min(limit + 1L, grown.length * 2L));
      }
      int r = channel.read(ByteBuffer.wrap(grown, n, grown.length - n));
      if (r < 0) {
        return Arrays.copyOf(grown, n);
      }
      n += r;
    }
    throw oversize(shown, "more than " + limit);
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
