package io.secretsdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one whole read of a source (a scan, a generation, the {@code NAME_FILE} targets) on its own
 * named daemon thread and waits for it a bounded time, so no public call can hang.
 *
 * <p>Java cannot open a file without blocking, and opening a FIFO for reading blocks until a writer
 * appears. The scans check types with {@code lstat} and open with {@code O_NOFOLLOW}, but a FIFO
 * can be renamed over a file between the two calls. While it waits, the caller looks at what the
 * reader is opening; if that entry is a FIFO now, it opens it read-write and closes it at once,
 * which on Linux releases the blocked open (the reader then sees a non-regular file and reports
 * it). If the read still has not finished by the deadline, the thread is abandoned (renamed {@code
 * secretsdk-read-abandoned-<n>}, left to end by itself) and the call fails with a message that says
 * so. One thread per call, not per file, so a read of 10,000 files pays one hand-off.
 *
 * <p>Thread-safe: every call is independent.
 */
final class BoundedRead {

  /** How long one read of a source may take before it is abandoned. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(BoundedRead.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long SLICE_MILLIS = 50;

  /** The work done on the reading thread. */
  interface Task<T> {
    T run(Tracker tracker) throws IOException;
  }

  /** What the reading thread is opening right now, so a stuck open can be released. */
  static final class Tracker {
    // What is being opened: a path, or a directory and an entry name (joined only when needed,
    // so the 10,000 opens of a large volume do not build 10,000 paths).
    private volatile Object[] opening;

    /** Called just before an open that could block. */
    void opening(Path path) {
      opening = new Object[] {path, null};
    }

    /** Called just before opening entry {@code name} (one element) of {@code directory}. */
    void opening(Path directory, Path name) {
      opening = new Object[] {directory, name};
    }

    /** Called once the open returned. */
    void opened() {
      opening = null;
    }

    Path current() {
      Object[] o = opening;
      if (o == null) {
        return null;
      }
      return o[1] == null ? (Path) o[0] : ((Path) o[0]).resolve((Path) o[1]);
    }
  }

  private BoundedRead() {}

  /**
   * Runs {@code task} and returns its result, or fails within about {@code timeout}.
   *
   * @param what what is being done, for messages ({@code "reading"}, {@code "scanning"})
   * @throws SecretReadException for an {@link IOException} (with its reason), a timeout or an
   *     interrupt; the task's own unchecked exceptions and errors are rethrown as they are
   */
  static <T> T call(String source, String what, Duration timeout, Task<T> task) {
    Tracker tracker = new Tracker();
    Object[] outcome = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread reader =
        new Thread(
            () -> {
              try {
                outcome[0] = task.run(tracker);
              } catch (Throwable t) {
                failure[0] = t;
              }
            },
            "secretsdk-read-" + THREADS.incrementAndGet());
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        reader.join(SLICE_MILLIS);
        if (!reader.isAlive()) {
          break;
        }
        release(tracker.current());
        if (System.nanoTime() - deadline > 0) {
          Path stuck = tracker.current();
          reader.setName(reader.getName().replace("secretsdk-read-", "secretsdk-read-abandoned-"));
          LOG.log(
              Level.WARNING,
              ControlCharacters.escape(
                  source
                      + ": "
                      + what
                      + " did not finish within "
                      + timeout.toMillis()
                      + " ms"
                      + (stuck != null ? " (opening " + stuck + ")" : "")
                      + "; its thread was abandoned"));
          throw new SecretReadException(
              source,
              what
                  + " did not finish within "
                  + timeout.toMillis()
                  + " ms"
                  + (stuck != null ? " (stuck opening " + stuck + ")" : "")
                  + "; the last good values are kept and the source is read again on the next change or poll");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretReadException(source, what + " was interrupted (the store is closing)", e);
    }
    Throwable t = failure[0];
    if (t == null) {
      @SuppressWarnings("unchecked")
      T result = (T) outcome[0];
      return result;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t instanceof IOException io) {
      throw new SecretReadException(source, what + " failed: " + reason(io), io);
    }
    throw new SecretReadException(source, what + " failed: " + t.getClass().getName(), t);
  }

  /** Opens a FIFO read-write and closes it: a reader blocked in {@code open} on it returns. */
  private static void release(Path opening) {
    if (opening == null) {
      return;
    }
    try {
      BasicFileAttributes attrs =
          Files.readAttributes(opening, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isOther()) {
        FileChannel.open(
                opening,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)
            .close();
      }
    } catch (IOException | RuntimeException e) {
      // Gone or not openable: nothing to release here; the deadline still holds.
    }
  }

  /**
   * The reason an I/O call failed, as the operating system put it ({@code Permission denied},
   * {@code Too many levels of symbolic links}), never a bare exception class name.
   */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }
}
