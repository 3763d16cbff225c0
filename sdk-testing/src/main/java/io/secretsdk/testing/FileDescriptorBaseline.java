package io.secretsdk.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The open file descriptors when a test starts, read from {@code /proc/self/fd} (Linux only); at
 * its end, the files and inotify instances opened since then that are still open. Jars, the JDK's
 * own files, devices, pipes and sockets are left out: class loading and the test engine open those
 * at any time.
 */
final class FileDescriptorBaseline {

  private static final Path FDS = Path.of("/proc/self/fd");
  private static final String JAVA_HOME = System.getProperty("java.home", "/nonexistent");

  private final Map<String, String> before;

  private FileDescriptorBaseline() throws IOException {
    this.before = open();
  }

  /** Whether this platform can take a baseline: Linux with {@code /proc/self/fd}. */
  static boolean supported() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
        && Files.isDirectory(FDS);
  }

  static FileDescriptorBaseline take() throws IOException {
    return new FileDescriptorBaseline();
  }

  /** What the test opened and did not close, still open after {@code grace}. */
  List<String> leftBehind(Duration grace) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    List<String> opened = opened();
    while (!opened.isEmpty() && System.nanoTime() < deadline) {
      // A closing store releases its files on its own thread; give it the time to.
      synchronized (this) {
        wait(20);
      }
      opened = opened();
    }
    return opened;
  }

  private List<String> opened() throws IOException {
    List<String> opened = new ArrayList<>();
    for (Map.Entry<String, String> fd : open().entrySet()) {
      if (!Objects.equals(before.get(fd.getKey()), fd.getValue()) && counts(fd.getValue())) {
        opened.add("fd " + fd.getKey() + " -> " + fd.getValue());
      }
    }
    return opened;
  }

  private static boolean counts(String target) {
    if (target.equals("anon_inode:inotify")) {
      return true;
    }
    return target.startsWith("/")
        && !target.startsWith(JAVA_HOME)
        && !target.startsWith("/dev/")
        && !target.startsWith("/proc/")
        && !target.endsWith(".jar")
        && !target.endsWith(".class");
  }

  private static Map<String, String> open() throws IOException {
    Map<String, String> fds = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(FDS)) {
      for (Path entry : entries) {
        try {
          fds.put(entry.getFileName().toString(), Files.readSymbolicLink(entry).toString());
        } catch (IOException e) {
          // Closed between the listing and the read (the listing's own descriptor among them).
        }
      }
    }
    return fds;
  }
}
