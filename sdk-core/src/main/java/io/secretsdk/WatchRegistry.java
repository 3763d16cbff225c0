package io.secretsdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One {@link WatchService} shared by every store of the JVM, because inotify instances are limited
 * per user across the whole node. Stores register directories with a {@link Handler}; one
 * dispatcher thread ({@code secretsdk-watch-events}) takes keys and hands their events to the
 * handlers, which must return quickly (they schedule work on their store's own thread).
 *
 * <p>The watch service and the dispatcher exist only while something is registered: the last {@link
 * Registration#close()} closes the service and ends the thread. Thread-safe.
 */
final class WatchRegistry {

  private static final System.Logger LOG = System.getLogger(WatchRegistry.class.getName());
  private static final WatchRegistry SHARED =
      new WatchRegistry(FileSystems.getDefault()::newWatchService);

  /**
   * Opens the watch service; tests substitute one that fails as an exhausted inotify limit does.
   */
  @FunctionalInterface
  interface WatchServiceFactory {
    WatchService open() throws IOException;
  }

  /** Receives the events of one registered directory. */
  interface Handler {
    /** Events for the directory; may include {@code OVERFLOW}. Called on the dispatcher thread. */
    void onEvents(Path directory, List<WatchEvent<?>> events);

    /** The directory was deleted or replaced: the registration is dead. */
    void onInvalid(Path directory);
  }

  /** One handler's interest in one directory; closing it is idempotent. */
  interface Registration extends AutoCloseable {
    Path directory();

    @Override
    void close();
  }

  private final WatchServiceFactory factory;
  private final Object lock = new Object();
  private final Map<WatchKey, Watched> keys = new HashMap<>();
  private WatchService service;
  private Thread dispatcher;

  WatchRegistry(WatchServiceFactory factory) {
    this.factory = factory;
  }

  static WatchRegistry shared() {
    return SHARED;
  }

  /**
   * Watches {@code directory} for entry creation, deletion and modification.
   *
   * @throws IOException when no watch service or watch can be had (for example the inotify instance
   *     or watch limit is reached); callers fall back to polling
   */
  Registration register(Path directory, Handler handler) throws IOException {
    synchronized (lock) {
      if (service == null) {
        service = factory.open();
        WatchService started = service;
        dispatcher = new DaemonThreads("secretsdk-watch-events").newThread(() -> dispatch(started));
        dispatcher.start();
      }
      WatchKey key;
      try {
        key =
            directory.register(
                service,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE,
                StandardWatchEventKinds.ENTRY_MODIFY);
      } catch (IOException | RuntimeException e) {
        if (keys.isEmpty()) {
          shutdown();
        }
        throw e;
      }
      Watched watched = keys.computeIfAbsent(key, k -> new Watched(directory));
      watched.handlers.add(handler);
      return new KeyRegistration(key, directory, handler);
    }
  }

  /** How many directories are watched now (for tests and health). */
  int watchedDirectories() {
    synchronized (lock) {
      return keys.size();
    }
  }

  private void unregister(WatchKey key, Handler handler) {
    synchronized (lock) {
      Watched watched = keys.get(key);
      if (watched == null || !watched.handlers.remove(handler)) {
        return;
      }
      if (watched.handlers.isEmpty()) {
        keys.remove(key);
        key.cancel();
      }
      if (keys.isEmpty()) {
        shutdown();
      }
    }
  }

  private void shutdown() {
    if (service != null) {
      try {
        service.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "closing the watch service failed", e);
      }
      service = null;
      dispatcher = null;
    }
  }

  private void dispatch(WatchService watchService) {
    while (true) {
      WatchKey key;
      try {
        key = watchService.take();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      }
      List<WatchEvent<?>> events = key.pollEvents();
      boolean valid = key.reset();
      Watched watched;
      List<Handler> handlers;
      synchronized (lock) {
        watched = keys.get(key);
        if (watched == null) {
          continue;
        }
        handlers = List.copyOf(watched.handlers);
        if (!valid) {
          keys.remove(key);
          if (keys.isEmpty()) {
            shutdown();
          }
        }
      }
      for (Handler handler : handlers) {
        try {
          if (!events.isEmpty()) {
            handler.onEvents(watched.directory, events);
          }
          if (!valid) {
            handler.onInvalid(watched.directory);
          }
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "a watch handler failed: " + e.getClass().getName());
        }
      }
    }
  }

  private static final class Watched {
    final Path directory;
    final List<Handler> handlers = new CopyOnWriteArrayList<>();

    Watched(Path directory) {
      this.directory = directory;
    }
  }

  private final class KeyRegistration implements Registration {
    private final WatchKey key;
    private final Path directory;
    private final Handler handler;

    KeyRegistration(WatchKey key, Path directory, Handler handler) {
      this.key = key;
      this.directory = directory;
      this.handler = handler;
    }

    @Override
    public Path directory() {
      return directory;
    }

    @Override
    public void close() {
      unregister(key, handler);
    }
  }
}
