package io.secretsdk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One open directory of a mount, and the only way {@link MountScan} touches the file system. Every
 * operation takes a single entry name and never follows a symbolic link: the scan resolves links
 * itself, within the mount.
 *
 * <p>Where the JDK offers a {@link SecureDirectoryStream} (Linux, macOS), entries are looked up and
 * opened relative to the directory's open handle ({@code openat}/{@code fstatat} with {@code
 * O_NOFOLLOW}), so renaming a directory or swapping a link between two calls cannot redirect what
 * is opened. Elsewhere (Windows) the same calls go by path with {@code NOFOLLOW_LINKS}; that leaves
 * a window between the check of a directory and its use, documented in {@code docs/reliability.md}.
 * Not thread-safe: one scan uses it from one thread.
 */
abstract class MountDirectory implements Closeable {

  /** The directory's real path, for messages, link text and releasing a stuck open. */
  final Path realPath;

  private MountDirectory(Path realPath) {
    this.realPath = realPath;
  }

  /**
   * Opens {@code realPath}, which must be a directory and not a link: through its parent's handle
   * where possible, so a root replaced by a link between resolving and opening is refused.
   */
  static MountDirectory open(Path realPath) throws IOException {
    Path parent = realPath.getParent();
    Path name = realPath.getFileName();
    if (parent != null && name != null) {
      DirectoryStream<Path> parentStream;
      try {
        parentStream = Files.newDirectoryStream(parent);
      } catch (java.nio.file.AccessDeniedException e) {
        parentStream = null; // A parent we may traverse but not list: open the root by path.
      }
      if (parentStream instanceof SecureDirectoryStream<Path> secureParent) {
        try (secureParent) {
          return new Secure(
              realPath, secureParent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
        }
      }
      if (parentStream != null) {
        parentStream.close();
      }
    }
    DirectoryStream<Path> stream = Files.newDirectoryStream(realPath);
    if (stream instanceof SecureDirectoryStream<Path> secure) {
      return new Secure(realPath, secure);
    }
    stream.close();
    return new ByPath(realPath);
  }

  /**
   * The names of the entries, in the order the file system lists them, each as a one-element
   * relative path (the caller passes it back to {@link #lstat(Path)} and {@link #openFile(Path)},
   * so no entry's path is parsed twice). May be called once.
   */
  abstract List<Path> list() throws IOException;

  /** The attributes of an entry itself (a link is not followed). */
  final BasicFileAttributes lstat(String name) throws IOException {
    return lstat(Path.of(name));
  }

  /** The attributes of the entry {@code name} (a one-element relative path) itself. */
  abstract BasicFileAttributes lstat(Path name) throws IOException;

  /** Opens a subdirectory; fails if the entry is a link or not a directory. */
  abstract MountDirectory openDirectory(String name) throws IOException;

  /**
   * Opens the file {@code name} (a one-element relative path) for reading; fails if the entry is a
   * link. May block on a FIFO (see {@link BoundedRead}).
   */
  abstract SeekableByteChannel openFile(Path name) throws IOException;

  /** The text of a link entry. */
  final String readLink(String name) throws IOException {
    return Files.readSymbolicLink(realPath.resolve(name)).toString();
  }

  @Override
  public abstract void close() throws IOException;

  /** Handle-relative operations ({@code openat}). */
  private static final class Secure extends MountDirectory {
    private final SecureDirectoryStream<Path> stream;

    Secure(Path realPath, SecureDirectoryStream<Path> stream) {
      super(realPath);
      this.stream = stream;
    }

    @Override
    List<Path> list() {
      List<Path> names = new ArrayList<>();
      for (Path entry : stream) {
        names.add(entry.getFileName());
      }
      return names;
    }

    @Override
    BasicFileAttributes lstat(Path name) throws IOException {
      return stream
          .getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
    }

    @Override
    MountDirectory openDirectory(String name) throws IOException {
      Path child = realPath.resolve(name);
      try {
        return new Secure(
            child, stream.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS));
      } catch (java.nio.file.FileSystemException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
          throw e;
        }
        // ELOOP (a link was swapped in) or ENOTDIR (a file was): not the directory we checked.
        throw new NotDirectoryException(child.toString());
      }
    }

    @Override
    SeekableByteChannel openFile(Path name) throws IOException {
      return stream.newByteChannel(name, READ_NOFOLLOW_OPTIONS);
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  /** Path-based operations with {@code NOFOLLOW_LINKS}, where no secure stream exists. */
  private static final class ByPath extends MountDirectory {

    ByPath(Path realPath) {
      super(realPath);
    }

    @Override
    List<Path> list() throws IOException {
      List<Path> names = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(realPath)) {
        for (Path entry : stream) {
          names.add(entry.getFileName());
        }
      }
      return names;
    }

    @Override
    BasicFileAttributes lstat(Path name) throws IOException {
      return Files.readAttributes(
          realPath.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    MountDirectory openDirectory(String name) throws IOException {
      Path child = realPath.resolve(name);
      if (!Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.exists(child, LinkOption.NOFOLLOW_LINKS)) {
          throw new java.nio.file.NoSuchFileException(child.toString());
        }
        throw new NotDirectoryException(child.toString());
      }
      return new ByPath(child);
    }

    @Override
    SeekableByteChannel openFile(Path name) throws IOException {
      return Files.newByteChannel(realPath.resolve(name), READ_NOFOLLOW_OPTIONS);
    }

    @Override
    public void close() {}
  }

  private static final Set<java.nio.file.OpenOption> READ_NOFOLLOW_OPTIONS =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
}
