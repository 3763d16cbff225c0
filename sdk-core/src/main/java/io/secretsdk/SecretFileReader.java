package io.secretsdk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/** Reads one secret file with the size limit and, for files that may change in place, a stability check. */
final class SecretFileReader {

  private static final int STABLE_READ_ATTEMPTS = 3;

  private final String source;
  private final ReadSettings settings;

  SecretFileReader(String source, ReadSettings settings) {
    this.source = source;
    this.settings = settings;
  }

  /**
   * Reads a file that never changes once written (a kubelet generation): size check and one read.
   *
   * @param shown the path as the application sees it, for messages
   */
  byte[] readImmutable(Path file, Path shown) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    checkSize(shown, attrs.size());
    return readBounded(file, shown);
  }

  /**
   * Reads a file that may be rewritten in place (Docker, hand-made, Vault Agent): the size, time
   * and inode must be the same before and after the read.
   */
  byte[] readStable(Path file, Path shown) throws IOException {
    for (int attempt = 1; ; attempt++) {
      BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class);
      checkSize(shown, before.size());
      byte[] value = readBounded(file, shown);
      BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
      if (sameIdentity(before, after) && after.size() == value.length) {
        return value;
      }
      if (attempt == STABLE_READ_ATTEMPTS) {
        throw new SecretReadException(
            source,
            "file "
                + shown
                + " kept changing while it was read ("
                + STABLE_READ_ATTEMPTS
                + " attempts); the last good value is kept and the file is read again after it settles");
      }
    }
  }

  static boolean sameIdentity(BasicFileAttributes a, BasicFileAttributes b) {
    return a.size() == b.size()
        && a.lastModifiedTime().equals(b.lastModifiedTime())
        && Objects.equals(a.fileKey(), b.fileKey());
  }

  private void checkSize(Path shown, long size) {
    if (size > settings.maxSecretBytes()) {
      throw oversize(shown, Long.toString(size));
    }
  }

  private SecretReadException oversize(Path shown, String size) {
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

  private byte[] readBounded(Path file, Path shown) throws IOException {
    int limit = (int) settings.maxSecretBytes();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] value = in.readNBytes(limit + 1);
      if (value.length > limit) {
        throw oversize(shown, "more than " + limit);
      }
      return value;
    } catch (AccessDeniedException e) {
      throw new SecretReadException(
          source, "file " + shown + " is not readable by this process; check the volume's defaultMode, fsGroup or runAsUser", e);
    }
  }

  /**
   * The attributes of {@code entry}, following it if it is a symbolic link, which must resolve to
   * something that exists inside {@code realRoot}.
   *
   * @param shown the path as the application sees it, for messages
   * @throws SecretReadException for a dangling link or one that leaves the mount
   */
  BasicFileAttributes attributesWithin(Path entry, Path shown, Path realRoot) throws IOException {
    BasicFileAttributes link = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!link.isSymbolicLink()) {
      return link;
    }
    BasicFileAttributes target;
    try {
      target = Files.readAttributes(entry, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new SecretReadException(
          source,
          "link " + shown + " points to " + Files.readSymbolicLink(entry) + ", which does not exist; fix or remove the link");
    }
    if (!entry.toRealPath().startsWith(realRoot)) {
      throw new SecretReadException(source, "link " + shown + " resolves outside the mount " + realRoot + "; refusing to read it");
    }
    return target;
  }
}
