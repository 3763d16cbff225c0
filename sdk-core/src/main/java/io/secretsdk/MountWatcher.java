package io.secretsdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one mount: its root, every plain subdirectory and every volume directory inside it (never
 * the timestamped directories, whose watches die at the next swap). While the root is missing it
 * watches the nearest existing ancestor for the root's appearance.
 *
 * <p>A change of {@code ..data}, an {@code OVERFLOW} or a dead watch asks for an immediate read;
 * any other entry change in a plain directory asks for a read after the quiet period. Handlers run
 * on the shared dispatcher thread and only schedule work. {@link #sync} runs under the store's
 * refresh lock with the directories the store's last read found (the read's own {@link MountScan},
 * with its link, loop and depth rules), so it never follows a link out of the mount or into a loop,
 * never blocks and never walks the mount a second time. A directory that vanishes between the scan
 * and its registration is skipped, not mistaken for a watch limit.
 */
final class MountWatcher implements WatchRegistry.Handler {

  /** What the watcher asks of its store. */
  interface Trigger {
    void readNow();

    void readAfterQuietPeriod();
  }

  private final Path root;
  private final WatchRegistry registry;
  private final Trigger trigger;
  private final Map<Path, WatchRegistry.Registration> registrations = new HashMap<>();
  // Watched directory -> the child name awaited in it (the ancestor of a missing root), or null.
  private final Map<Path, String> awaitedChild = new HashMap<>();
  private volatile boolean closed;

  MountWatcher(Path root, WatchRegistry registry, Trigger trigger) {
    this.root = root;
    this.registry = registry;
    this.trigger = trigger;
  }

  /**
   * Brings the registrations in line with the directories the last read found.
   *
   * @param scanned the directories of the last read ({@link SourceRead#directories()}), or {@code
   *     null} when that read did not get through its walk (then what is watched stays watched, and
   *     the root is watched at least)
   * @return whether a directory was newly registered (its content may predate the watch)
   * @throws IOException when a watch cannot be had (limits reached)
   */
  synchronized boolean sync(List<Path> scanned) throws IOException {
    if (closed) {
      return false;
    }
    Map<Path, String> desired = new LinkedHashMap<>();
    if (Files.isDirectory(root)) {
      if (scanned != null) {
        for (Path dir : scanned) {
          desired.put(dir, null);
        }
      } else {
        // The read failed before its walk was done (an unreadable or oversize file, a timeout):
        // keep the watches of the mount as they are, and make sure its root is one of them.
        desired.put(root, null);
        for (Path dir : registrations.keySet()) {
          if (awaitedChild.get(dir) == null) {
            desired.put(dir, null);
          }
        }
      }
    } else {
      Path child = root;
      Path ancestor = root.getParent();
      while (ancestor != null && !Files.isDirectory(ancestor)) {
        child = ancestor;
        ancestor = ancestor.getParent();
      }
      if (ancestor != null) {
        desired.put(ancestor, child.getFileName().toString());
      }
    }
    registrations
        .entrySet()
        .removeIf(
            e -> {
              if (!desired.containsKey(e.getKey())) {
                e.getValue().close();
                awaitedChild.remove(e.getKey());
                return true;
              }
              return false;
            });
    boolean added = false;
    for (Map.Entry<Path, String> e : desired.entrySet()) {
      awaitedChild.put(e.getKey(), e.getValue());
      if (!registrations.containsKey(e.getKey())) {
        try {
          registrations.put(e.getKey(), registry.register(e.getKey(), this));
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException gone) {
          // Vanished since the scan: its parent's watch reports that, and the next sync catches up.
          // Not a reason to fall back to polling, which is kept for real watch limits.
          awaitedChild.remove(e.getKey());
          continue;
        }
        added = true;
      }
    }
    return added;
  }

  @Override
  public void onEvents(Path directory, List<WatchEvent<?>> events) {
    if (closed) {
      return;
    }
    String awaited;
    synchronized (this) {
      awaited = awaitedChild.get(directory);
    }
    boolean now = false;
    boolean later = false;
    for (WatchEvent<?> event : events) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        now = true;
        continue;
      }
      String name = event.context().toString();
      if (awaited != null) {
        if (name.equals(awaited)) {
          later = true;
        }
      } else if (name.equals(MountScan.DATA)) {
        now = true;
      } else if (SecretNames.isCandidate(name)) {
        later = true;
      }
    }
    if (now) {
      trigger.readNow();
    } else if (later) {
      trigger.readAfterQuietPeriod();
    }
  }

  @Override
  public void onInvalid(Path directory) {
    if (closed) {
      return;
    }
    synchronized (this) {
      registrations.remove(directory);
      awaitedChild.remove(directory);
    }
    trigger.readNow();
  }

  synchronized void close() {
    closed = true;
    registrations.values().forEach(WatchRegistry.Registration::close);
    registrations.clear();
    awaitedChild.clear();
  }
}
