package io.secretsdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link SecretStore}: sources read under one lock, snapshots published by one volatile
 * write, listeners told afterwards. One daemon thread per store ({@code secretsdk-watch-<n>})
 * runs event-triggered reads, quiet periods and polls; the shared {@link WatchRegistry} delivers
 * file-system events to it.
 */
final class LiveSecretStore implements SecretStore {

  private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  private final int id = IDS.incrementAndGet();
  private final List<SourceState> sources;
  private final Clock clock;
  private final Duration quietPeriod;
  private final Duration pollInterval;
  private final boolean watch;
  private final WatchRegistry registry;
  private final ListenerDispatcher listeners;
  private final ReentrantLock refreshLock = new ReentrantLock();
  private final Map<SourceState, ScheduledFuture<?>> quietTimers = new HashMap<>();
  private final AtomicLong refreshes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong totalRefreshNanos = new AtomicLong();

  private volatile SecretSnapshot current;
  private volatile Duration lastRefreshDuration = Duration.ZERO;
  private volatile boolean closed;
  private final ScheduledExecutorService suppliedScheduler;
  private volatile ScheduledExecutorService scheduler;
  private volatile ScheduledFuture<?> pollTask;

  private LiveSecretStore(
      List<SourceState> sources, SecretStoreBuilder builder, WatchRegistry registry) {
    this.sources = List.copyOf(sources);
    this.clock = builder.clock;
    this.watch = builder.watch;
    this.quietPeriod =
        builder.quietPeriod != null ? builder.quietPeriod : SecretStoreBuilder.DEFAULT_QUIET_PERIOD;
    Duration poll = builder.pollInterval;
    if (poll == null) {
      poll = builder.watch ? SecretStoreBuilder.DEFAULT_POLL_INTERVAL : Duration.ZERO;
    }
    this.pollInterval = poll;
    this.registry = registry;
    this.suppliedScheduler = builder.scheduler;
    this.listeners = new ListenerDispatcher(builder.listenerExecutor, "secretsdk-notify-" + id);
    this.current = SecretSnapshot.empty(clock.instant());
  }

  static SecretStore start(SecretStoreBuilder builder) {
    return start(builder, WatchRegistry.shared());
  }

  static SecretStore start(SecretStoreBuilder builder, WatchRegistry registry) {
    ReadSettings settings =
        new ReadSettings(
            builder.maxSecretBytes > 0 ? builder.maxSecretBytes : SecretStoreBuilder.DEFAULT_MAX_SECRET_BYTES,
            builder.trimTrailingNewline);
    List<SourceState> sources = new ArrayList<>();
    for (SourceSpec spec : builder.sources) {
      if (spec instanceof SourceSpec.Mount m) {
        sources.add(new SourceState(new MountReader(m.root(), m.prefix(), settings, m.optional()), m.optional()));
      } else if (spec instanceof SourceSpec.Environment e) {
        sources.add(new SourceState(new EnvironmentReader(e.prefix(), builder.environment, settings), false));
      }
    }
    LiveSecretStore store = new LiveSecretStore(sources, builder, registry);
    store.initialRead();
    store.startWatching(sources);
    return store;
  }

  private void initialRead() {
    long started = System.nanoTime();
    refreshes.incrementAndGet();
    List<SourceState> succeeded = new ArrayList<>();
    for (SourceState source : sources) {
      try {
        source.refresh(clock);
        succeeded.add(source);
      } catch (SecretReadException e) {
        if (!source.optional) {
          throw e;
        }
        failures.incrementAndGet();
        LOG.log(Level.WARNING, "optional source starts empty: " + e.getMessage());
      }
    }
    current = new SecretSnapshot(compose(), 1, clock.instant());
    succeeded.forEach(SourceState::markHealthy);
    recordDuration(System.nanoTime() - started);
  }

  private void startWatching(List<SourceState> all) {
    boolean needsThread = false;
    for (SourceState source : all) {
      boolean mount = source.reader.mountRoot() != null;
      if (watch && mount) {
        needsThread = true;
      } else if (!pollInterval.isZero() && (mount || !source.reader.fingerprint().isEmpty())) {
        source.watchMode = WatchMode.POLLING;
        needsThread = true;
      }
    }
    if (!needsThread) {
      LOG.log(Level.INFO, describe() + " (not watching)");
      return;
    }
    if (suppliedScheduler != null) {
      scheduler = suppliedScheduler;
    } else {
      ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, new DaemonThreads("secretsdk-watch-" + id));
      own.setRemoveOnCancelPolicy(true);
      own.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      scheduler = own;
    }
    refreshLock.lock();
    try {
      for (SourceState source : all) {
        if (watch && source.reader.mountRoot() != null) {
          source.watcher = new MountWatcher(source.reader.mountRoot(), registry, triggerFor(source));
          if (syncWatch(source)) {
            // A rotation between the initial read and the watch would otherwise wait for a poll.
            requestRead(source, Duration.ZERO);
          }
        }
      }
    } finally {
      refreshLock.unlock();
    }
    Duration poll = effectivePollInterval();
    if (!poll.isZero()) {
      long millis = poll.toMillis();
      // Fixed rate: one late wake-up on a busy machine does not push every later poll back.
      pollTask = scheduler.scheduleAtFixedRate(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }
    LOG.log(Level.INFO, describe());
  }

  private Duration effectivePollInterval() {
    if (!pollInterval.isZero()) {
      return pollInterval;
    }
    for (SourceState source : sources) {
      if (source.watchMode == WatchMode.POLLING) {
        return SecretStoreBuilder.DEFAULT_POLL_INTERVAL;
      }
    }
    return Duration.ZERO;
  }

  private String describe() {
    StringBuilder sb = new StringBuilder("secretsdk store ").append(id).append(": ");
    sb.append(current.size()).append(" secrets from ");
    for (int i = 0; i < sources.size(); i++) {
      SourceState s = sources.get(i);
      sb.append(i == 0 ? "" : ", ").append(s.source()).append(" (").append(s.watchMode.name().toLowerCase(java.util.Locale.ROOT)).append(')');
    }
    if (!pollInterval.isZero()) {
      sb.append(", polling every ").append(pollInterval.toMillis()).append(" ms");
    }
    return sb.toString();
  }

  private MountWatcher.Trigger triggerFor(SourceState source) {
    return new MountWatcher.Trigger() {
      @Override
      public void readNow() {
        requestRead(source, Duration.ZERO);
      }

      @Override
      public void readAfterQuietPeriod() {
        requestRead(source, quietPeriod);
      }
    };
  }

  /** Brings the source's watches in line with its directories; falls back to polling on failure. */
  private boolean syncWatch(SourceState source) {
    MountWatcher watcher = source.watcher;
    if (watcher == null || closed) {
      return false;
    }
    try {
      boolean added = watcher.sync();
      source.watchMode = WatchMode.EVENTS;
      return added;
    } catch (IOException | RuntimeException e) {
      if (source.watchMode != WatchMode.POLLING) {
        LOG.log(
            Level.WARNING,
            source.source()
                + ": cannot watch with file-system events ("
                + e.getMessage()
                + "); falling back to polling every "
                + (pollInterval.isZero() ? SecretStoreBuilder.DEFAULT_POLL_INTERVAL : pollInterval).toMillis()
                + " ms. On Linux, raise fs.inotify.max_user_instances / max_user_watches");
      }
      source.watchMode = WatchMode.POLLING;
      return false;
    }
  }

  private void requestRead(SourceState source, Duration delay) {
    ScheduledExecutorService executor = scheduler;
    if (closed || executor == null) {
      return;
    }
    try {
      if (delay.isZero()) {
        if (source.refreshQueued.compareAndSet(false, true)) {
          executor.execute(() -> backgroundRefresh(source));
        }
      } else {
        synchronized (quietTimers) {
          ScheduledFuture<?> previous = quietTimers.get(source);
          if (previous != null) {
            previous.cancel(false);
          }
          quietTimers.put(
              source,
              executor.schedule(
                  () -> {
                    synchronized (quietTimers) {
                      quietTimers.remove(source);
                    }
                    requestRead(source, Duration.ZERO);
                  },
                  delay.toNanos(),
                  TimeUnit.NANOSECONDS));
        }
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing.
    }
  }

  private void backgroundRefresh(SourceState source) {
    source.refreshQueued.set(false);
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
        if (source.failing() || !source.reader.fingerprint().equals(source.fingerprint)) {
          requestRead(source, Duration.ZERO);
        } else if (source.watcher != null && source.watchMode == WatchMode.POLLING) {
          // Try events again: the limit may have been lifted.
          refreshLock.lock();
          try {
            syncWatch(source);
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
      refreshes.incrementAndGet();
      boolean changed = false;
      List<SourceState> succeeded = new ArrayList<>();
      for (SourceState source : targets) {
        boolean wasFailing = source.failing();
        String previousError = source.lastError;
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
              e.getMessage() + " (keeping the last good values; failure " + source.consecutiveFailures + " in a row)");
        }
        if (syncWatch(source)) {
          // A directory appeared and is watched now; what was written before the watch began is
          // caught by reading once more.
          requestRead(source, Duration.ZERO);
        }
      }
      if (changed) {
        SecretChangeEvent event = publish(compose());
        if (event != null) {
          // Queued under the lock so listeners get events in revision order even when refresh()
          // races a watch-triggered read; delivery itself happens on the listener thread.
          listeners.publish(event);
        }
      }
      // Health turns UP only once the values it vouches for are published.
      succeeded.forEach(SourceState::markHealthy);
      recordDuration(System.nanoTime() - started);
      if (!failed.isEmpty()) {
        failures.incrementAndGet();
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

  private void recordDuration(long nanos) {
    lastRefreshDuration = Duration.ofNanos(nanos);
    totalRefreshNanos.addAndGet(nanos);
  }

  private Map<String, Secret> compose() {
    Map<String, Secret> all = new LinkedHashMap<>();
    for (SourceState source : sources) {
      for (Map.Entry<String, Secret> e : source.content.entrySet()) {
        all.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    return all;
  }

  /** Swaps in the new snapshot if it differs; returns the event to deliver, or null. */
  private SecretChangeEvent publish(Map<String, Secret> next) {
    SecretSnapshot previous = current;
    Map<String, Secret> before = previous.asMap();
    Set<String> added = new HashSet<>();
    Set<String> removed = new HashSet<>();
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, Secret> e : next.entrySet()) {
      Secret old = before.get(e.getKey());
      if (old == null) {
        added.add(e.getKey());
      } else if (!old.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String name : before.keySet()) {
      if (!next.containsKey(name)) {
        removed.add(name);
      }
    }
    if (added.isEmpty() && removed.isEmpty() && changed.isEmpty()) {
      return null;
    }
    SecretSnapshot snapshot = new SecretSnapshot(next, previous.revision() + 1, clock.instant());
    current = snapshot;
    LOG.log(
        Level.DEBUG,
        () -> "secretsdk store " + id + ": revision " + snapshot.revision() + ", added " + added + ", removed " + removed + ", changed " + changed);
    return new SecretChangeEvent(added, removed, changed, previous, snapshot);
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
    SecretSnapshot snapshot = current;
    List<SourceHealth> perSource = sources.stream().map(SourceState::health).toList();
    SecretStoreHealth.Status status;
    if (closed) {
      status = SecretStoreHealth.Status.DOWN;
    } else if (perSource.stream().anyMatch(s -> s.status() != SecretStoreHealth.Status.UP)) {
      status = SecretStoreHealth.Status.DEGRADED;
    } else {
      status = SecretStoreHealth.Status.UP;
    }
    String error = sources.stream().map(s -> s.lastError).filter(Objects::nonNull).findFirst().orElse(null);
    return new SecretStoreHealth(
        status,
        snapshot.revision(),
        snapshot.size(),
        snapshot.loadedAt(),
        refreshes.get(),
        failures.get(),
        lastRefreshDuration,
        Duration.ofNanos(totalRefreshNanos.get()),
        Optional.ofNullable(error),
        perSource);
  }

  @Override
  public void close() {
    refreshLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (SourceState source : sources) {
        MountWatcher watcher = source.watcher;
        if (watcher != null) {
          watcher.close();
        }
      }
    } finally {
      refreshLock.unlock();
    }
    ScheduledExecutorService executor = scheduler;
    if (executor != null && executor == suppliedScheduler) {
      // Not ours to shut down: cancel what we scheduled on it.
      ScheduledFuture<?> poll = pollTask;
      if (poll != null) {
        poll.cancel(false);
      }
      synchronized (quietTimers) {
        quietTimers.values().forEach(timer -> timer.cancel(false));
        quietTimers.clear();
      }
    } else if (executor != null) {
      executor.shutdownNow();
      if (!Thread.currentThread().getName().equals("secretsdk-watch-" + id)) {
        awaitTermination(executor);
      }
    }
    listeners.close();
    LOG.log(Level.DEBUG, () -> "secretsdk store " + id + " closed");
  }

  private static void awaitTermination(ScheduledExecutorService executor) {
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "SecretStore[id=" + id + ", revision=" + current.revision() + ", sources=" + sources.stream().map(SourceState::source).toList() + "]";
  }
}
