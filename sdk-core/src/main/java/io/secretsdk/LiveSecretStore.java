package io.secretsdk;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link SecretStore}: a coordinator of small parts. Each {@link SourceState} reads and
 * remembers one source; the {@link RefreshPacer} decides when background reads and polls run (on
 * the store's {@code secretsdk-watch-<n>} thread or a supplied executor); {@link
 * SecretChangeEvent#between} computes what changed; the {@link ListenerDispatcher} tells
 * listeners; {@link RefreshStatistics} counts and aggregates health. What stays here is the
 * order of things: sources are read under one lock, the snapshot is published by one volatile
 * write, listeners are told afterwards, and health turns UP only once the values it vouches for
 * are published. The shared {@link WatchRegistry} delivers file-system events to the pacer.
 */
final class LiveSecretStore implements SecretStore {

  private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  private final int id = IDS.incrementAndGet();
  private final List<SourceState> sources;
  private final SecretSettings settings;
  private final Clock clock;
  private final WatchRegistry registry;
  private final RefreshPacer pacer;
  private final ListenerDispatcher listeners;
  private final RefreshStatistics statistics = new RefreshStatistics();
  private final ReentrantLock refreshLock = new ReentrantLock();

  private volatile SecretSnapshot current;
  private volatile boolean closed;

  private LiveSecretStore(List<SourceState> sources, SecretStoreBuilder.Resolved resolved, WatchRegistry registry) {
    this.sources = List.copyOf(sources);
    this.settings = resolved.settings();
    this.clock = resolved.clock();
    this.registry = registry;
    this.pacer = new RefreshPacer(resolved.scheduler(), "secretsdk-watch-" + id);
    this.listeners = new ListenerDispatcher(resolved.listenerExecutor(), "secretsdk-notify-" + id);
    this.current = SecretSnapshot.empty(clock.instant());
  }

  static SecretStore start(SecretStoreBuilder.Resolved resolved) {
    return start(resolved, WatchRegistry.shared());
  }

  /** Builds with a registry of the caller's (tests use one of their own, not the shared one). */
  static SecretStore start(SecretStoreBuilder builder, WatchRegistry registry) {
    return start(builder.resolve(), registry);
  }

  static SecretStore start(SecretStoreBuilder.Resolved resolved, WatchRegistry registry) {
    ReadSettings read = ReadSettings.of(resolved.settings());
    List<SourceState> sources = new ArrayList<>();
    for (SourceSpec spec : resolved.sources()) {
      if (spec instanceof SourceSpec.Mount m) {
        sources.add(new SourceState(new MountReader(m.root(), m.prefix(), read, m.optional()), m.optional()));
      } else if (spec instanceof SourceSpec.Environment e) {
        sources.add(new SourceState(new EnvironmentReader(e.prefix(), resolved.environment(), read), false));
      }
    }
    LiveSecretStore store = new LiveSecretStore(sources, resolved, registry);
    store.initialRead();
    store.startWatching();
    return store;
  }

  private void initialRead() {
    long started = System.nanoTime();
    statistics.started();
    List<SourceState> succeeded = new ArrayList<>();
    for (SourceState source : sources) {
      try {
        source.refresh(clock);
        succeeded.add(source);
      } catch (SecretReadException e) {
        if (!source.optional()) {
          throw e;
        }
        statistics.failed();
        LOG.log(Level.WARNING, "optional source starts empty: " + e.getMessage());
      }
    }
    current = new SecretSnapshot(compose(), 1, clock.instant());
    succeeded.forEach(SourceState::markHealthy);
    statistics.took(System.nanoTime() - started);
  }

  private void startWatching() {
    boolean needsThread = false;
    for (SourceState source : sources) {
      boolean mount = source.mountRoot() != null;
      if (settings.watch() && mount) {
        needsThread = true;
      } else if (!settings.pollInterval().isZero() && source.pollable()) {
        source.pollOnly();
        needsThread = true;
      }
    }
    if (!needsThread) {
      LOG.log(Level.INFO, describe() + " (not watching)");
      return;
    }
    pacer.start();
    refreshLock.lock();
    try {
      for (SourceState source : sources) {
        if (settings.watch() && source.mountRoot() != null) {
          source.watchWith(new MountWatcher(source.mountRoot(), registry, triggerFor(source)));
          if (!closed && source.syncWatch(fallbackPollInterval())) {
            // A rotation between the initial read and the watch would otherwise wait for a poll.
            readNow(source);
          }
        }
      }
    } finally {
      refreshLock.unlock();
    }
    pacer.pollEvery(effectivePollInterval(), this::poll);
    LOG.log(Level.INFO, describe());
  }

  /** The configured interval, or the default while a source that wanted events has to poll. */
  private Duration effectivePollInterval() {
    if (!settings.pollInterval().isZero()) {
      return settings.pollInterval();
    }
    for (SourceState source : sources) {
      if (source.watchMode() == WatchMode.POLLING) {
        return SecretSettings.DEFAULT_POLL_INTERVAL;
      }
    }
    return Duration.ZERO;
  }

  private Duration fallbackPollInterval() {
    return settings.pollInterval().isZero() ? SecretSettings.DEFAULT_POLL_INTERVAL : settings.pollInterval();
  }

  private String describe() {
    StringBuilder sb = new StringBuilder("secretsdk store ").append(id).append(": ");
    sb.append(current.size()).append(" secrets from ");
    for (int i = 0; i < sources.size(); i++) {
      SourceState s = sources.get(i);
      sb.append(i == 0 ? "" : ", ").append(s.source()).append(" (").append(s.watchMode().name().toLowerCase(Locale.ROOT)).append(')');
    }
    if (!settings.pollInterval().isZero()) {
      sb.append(", polling every ").append(settings.pollInterval().toMillis()).append(" ms");
    }
    return sb.toString();
  }

  private MountWatcher.Trigger triggerFor(SourceState source) {
    return new MountWatcher.Trigger() {
      @Override
      public void readNow() {
        LiveSecretStore.this.readNow(source);
      }

      @Override
      public void readAfterQuietPeriod() {
        pacer.runAfterQuiet(source, settings.quietPeriod(), () -> LiveSecretStore.this.readNow(source));
      }
    };
  }

  /** Queues one background read of {@code source}, unless one is queued already. */
  private void readNow(SourceState source) {
    if (!closed && source.queueRead()) {
      pacer.runNow(() -> backgroundRefresh(source));
    }
  }

  private void backgroundRefresh(SourceState source) {
    source.startQueuedRead();
    if (closed) {
      return;
    }
    try {
      refreshSources(List.of(source));
    } catch (SecretReadException e) {
      // Recorded and logged by refreshSources.
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, source.source() + ": unexpected failure while refreshing: " + e.getClass().getName());
    }
  }

  private void poll() {
    if (closed) {
      return;
    }
    for (SourceState source : sources) {
      try {
        if (source.needsRead()) {
          readNow(source);
        } else if (source.awaitsEvents()) {
          // Try events again: the limit may have been lifted.
          refreshLock.lock();
          try {
            if (!closed) {
              source.syncWatch(fallbackPollInterval());
            }
          } finally {
            refreshLock.unlock();
          }
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, source.source() + ": poll failed: " + e.getClass().getName());
      }
    }
  }

  /**
   * Reads the given sources, recomposes the snapshot and publishes it if it changed. Serialized
   * by the refresh lock.
   *
   * @throws SecretReadException the first failure, after publishing what succeeded
   */
  private SecretSnapshot refreshSources(List<SourceState> targets) {
    List<SecretReadException> failed = new ArrayList<>();
    refreshLock.lock();
    try {
      if (closed) {
        return current;
      }
      long started = System.nanoTime();
      statistics.started();
      boolean changed = false;
      List<SourceState> succeeded = new ArrayList<>();
      for (SourceState source : targets) {
        boolean wasFailing = source.failing();
        String previousError = source.lastError();
        try {
          changed |= source.refresh(clock);
          succeeded.add(source);
          if (wasFailing) {
            LOG.log(Level.INFO, source.source() + ": read successfully again");
          }
        } catch (SecretReadException e) {
          failed.add(e);
          // The first failure of a kind is a warning; the same failure again (polls of a missing
          // optional mount) is not worth a line every few seconds.
          boolean repeated = wasFailing && e.getMessage().equals(previousError);
          LOG.log(
              repeated ? Level.DEBUG : Level.WARNING,
              e.getMessage() + " (keeping the last good values; failure " + source.consecutiveFailures() + " in a row)");
        }
        if (source.syncWatch(fallbackPollInterval())) {
          // A directory appeared and is watched now; what was written before the watch began is
          // caught by reading once more.
          readNow(source);
        }
      }
      if (changed) {
        publish();
      }
      // Health turns UP only once the values it vouches for are published.
      succeeded.forEach(SourceState::markHealthy);
      statistics.took(System.nanoTime() - started);
      if (!failed.isEmpty()) {
        statistics.failed();
      }
    } finally {
      refreshLock.unlock();
    }
    if (!failed.isEmpty()) {
      SecretReadException first = failed.get(0);
      for (int i = 1; i < failed.size(); i++) {
        first.addSuppressed(failed.get(i));
      }
      throw first;
    }
    return current;
  }

  /** Swaps in the recomposed snapshot if it differs, and queues the event for listeners. */
  private void publish() {
    SecretSnapshot previous = current;
    SecretSnapshot next = new SecretSnapshot(compose(), previous.revision() + 1, clock.instant());
    SecretChangeEvent event = SecretChangeEvent.between(previous, next);
    if (event == null) {
      return;
    }
    current = next;
    LOG.log(Level.DEBUG, () -> "secretsdk store " + id + ": " + event);
    // Queued under the lock so listeners get events in revision order even when refresh() races
    // a watch-triggered read; delivery itself happens on the listener thread.
    listeners.publish(event);
  }

  /** The sources' content, the first source with a name winning; one source's map is shared as is. */
  private Map<String, Secret> compose() {
    if (sources.size() == 1) {
      return sources.get(0).content();
    }
    Map<String, Secret> all = new LinkedHashMap<>();
    for (SourceState source : sources) {
      for (Map.Entry<String, Secret> e : source.content().entrySet()) {
        all.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    return Map.copyOf(all);
  }

  @Override
  public Optional<Secret> get(String name) {
    return Optional.ofNullable(current.find(name));
  }

  @Override
  public Secret require(String name) {
    Secret secret = current.find(name);
    if (secret == null) {
      throw new SecretNotFoundException(name, sources.stream().map(SourceState::source).toList());
    }
    return secret;
  }

  @Override
  public SecretSnapshot snapshot() {
    return current;
  }

  @Override
  public Subscription subscribe(SecretListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      throw new IllegalStateException("secretsdk store " + id + " is closed");
    }
    return listeners.add(listener);
  }

  @Override
  public SecretSnapshot refresh() {
    if (closed) {
      throw new IllegalStateException("secretsdk store " + id + " is closed");
    }
    return refreshSources(sources);
  }

  @Override
  public SecretStoreHealth health() {
    return statistics.health(closed, current, sources);
  }

  @Override
  public void close() {
    refreshLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      sources.forEach(SourceState::closeWatcher);
    } finally {
      refreshLock.unlock();
    }
    pacer.close();
    listeners.close();
    LOG.log(Level.DEBUG, () -> "secretsdk store " + id + " closed");
  }

  @Override
  public String toString() {
    return "SecretStore[id=" + id + ", revision=" + current.revision() + ", sources=" + sources.stream().map(SourceState::source).toList() + "]";
  }
}
