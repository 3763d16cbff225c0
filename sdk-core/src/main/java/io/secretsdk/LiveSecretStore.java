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
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link SecretStore}: a coordinator of small parts. Each {@link SourceState} reads and
 * remembers one source; {@link BackgroundRefresh} (with its {@link RefreshPacer}) runs the watches,
 * event-triggered reads and polls on the store's {@code secretsdk-watch-<n>} thread or a supplied
 * executor; {@link SecretChangeEvent#between} computes what changed; the {@link ListenerDispatcher}
 * tells listeners; {@link RefreshStatistics} counts and aggregates health. What stays here is the
 * order of things: sources are read under one lock, the snapshot is published by one volatile
 * write, listeners are told afterwards, and health turns UP only once the values it vouches for are
 * published. Thread-safe.
 *
 * <p>A little over 300 lines, most of them javadoc on the public contract it implements.
 */
final class LiveSecretStore implements SecretStore {

  private static final System.Logger LOG = System.getLogger(SecretStore.class.getName());
  private static final AtomicInteger IDS = new AtomicInteger();

  private final int id = IDS.incrementAndGet();
  private final List<SourceState> sources;
  private final Clock clock;
  private final Executor listenerExecutor;
  // Both made on first need: a store that never watches or is never subscribed to holds neither.
  private volatile BackgroundRefresh background;
  private volatile ListenerDispatcher listeners;
  private final RefreshStatistics statistics = new RefreshStatistics();
  // The typed views whose health health() includes.
  private final RegisteredViews views = new RegisteredViews();
  private final ReentrantLock refreshLock = new ReentrantLock();

  private volatile SecretSnapshot current;
  private volatile boolean closed;

  private LiveSecretStore(List<SourceState> sources, SecretStoreBuilder.Resolved resolved) {
    this.sources = List.copyOf(sources);
    this.clock = resolved.clock();
    this.listenerExecutor = resolved.listenerExecutor();
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
    return start(resolved, registry, MountScan.Observer.NONE);
  }

  /** Builds with an observer of every mount's scans (tests count and perturb the walks). */
  static SecretStore start(
      SecretStoreBuilder.Resolved resolved, WatchRegistry registry, MountScan.Observer observer) {
    ReadSettings read = ReadSettings.of(resolved.settings());
    // Fingerprints serve polls only; a store that can never poll neither takes nor keeps them.
    boolean polls = resolved.settings().watch() || !resolved.settings().pollInterval().isZero();
    List<SourceState> sources = new ArrayList<>();
    for (SourceSpec spec : resolved.sources()) {
      if (spec instanceof SourceSpec.Mount m) {
        sources.add(
            new SourceState(
                new MountReader(m.root(), m.prefix(), read, m.optional(), observer),
                m.optional(),
                polls,
                resolved.settings().watch()));
      } else if (spec instanceof SourceSpec.Environment e) {
        sources.add(
            new SourceState(
                new EnvironmentReader(e.prefix(), resolved.environment(), read),
                false,
                polls,
                false));
      }
    }
    LiveSecretStore store = new LiveSecretStore(sources, resolved);
    store.initialRead();
    store.startWatching(resolved.settings(), registry, resolved.scheduler());
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
    for (SourceState source : succeeded) {
      source.markHealthy();
    }
    statistics.took(System.nanoTime() - started);
  }

  private void startWatching(
      SecretSettings settings, WatchRegistry registry, ScheduledExecutorService scheduler) {
    background =
        BackgroundRefresh.startIfNeeded(
            sources,
            settings,
            registry,
            scheduler,
            "secretsdk-watch-" + id,
            refreshLock,
            this::backgroundRefresh,
            () -> closed);
    LOG.log(
        Level.INFO,
        background == null
            ? describe(Duration.ZERO) + " (not watching)"
            : describe(settings.pollInterval()));
  }

  private String describe(Duration pollInterval) {
    StringBuilder sb = new StringBuilder("secretsdk store ").append(id).append(": ");
    sb.append(current.size()).append(" secrets from ");
    for (int i = 0; i < sources.size(); i++) {
      SourceState s = sources.get(i);
      sb.append(i == 0 ? "" : ", ")
          .append(s.source())
          .append(" (")
          .append(s.watchMode().name().toLowerCase(Locale.ROOT))
          .append(')');
    }
    if (!pollInterval.isZero()) {
      sb.append(", polling every ").append(pollInterval.toMillis()).append(" ms");
    }
    return sb.toString();
  }

  /**
   * A read the watches or the poll asked for; failures are recorded and logged by refreshSources.
   */
  private void backgroundRefresh(SourceState source) {
    try {
      refreshSources(List.of(source));
    } catch (SecretReadException e) {
      // Recorded and logged by refreshSources.
    } catch (RuntimeException e) {
      LOG.log(
          Level.ERROR,
          source.source() + ": unexpected failure while refreshing: " + e.getClass().getName());
    }
  }

  /**
   * Reads the given sources, recomposes the snapshot and publishes it if it changed. Serialized by
   * the refresh lock.
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
              e.getMessage()
                  + " (keeping the last good values; failure "
                  + source.consecutiveFailures()
                  + " in a row)");
        }
        BackgroundRefresh b = background;
        if (b != null) {
          // A directory that appeared is watched now, and read once more.
          b.afterRead(source);
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
    ListenerDispatcher l = listeners;
    if (l != null) {
      l.publish(event);
    }
  }

  /**
   * The sources' content, the first source with a name winning; one source's map is shared as is.
   */
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

  /**
   * The number in this store's thread names ({@code secretsdk-watch-<id>}, {@code
   * secretsdk-notify-<id>}).
   */
  int id() {
    return id;
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
    ListenerDispatcher l;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("secretsdk store " + id + " is closed");
      }
      l = listeners;
      if (l == null) {
        l = new ListenerDispatcher(listenerExecutor, "secretsdk-notify-" + id);
        listeners = l;
      }
    }
    return l.add(listener);
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
    return statistics.health(closed, current, sources, views);
  }

  @Override
  public Subscription registerView(SecretView<?> view) {
    return views.register(Objects.requireNonNull(view, "view"));
  }

  @Override
  public void close() {
    refreshLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      BackgroundRefresh b = background;
      if (b != null) {
        b.closeWatches();
      }
    } finally {
      refreshLock.unlock();
    }
    BackgroundRefresh b = background;
    if (b != null) {
      b.stop();
    }
    synchronized (this) {
      ListenerDispatcher l = listeners;
      if (l != null) {
        l.close();
      }
    }
    LOG.log(Level.DEBUG, () -> "secretsdk store " + id + " closed");
  }

  @Override
  public String toString() {
    return "SecretStore[id="
        + id
        + ", revision="
        + current.revision()
        + ", sources="
        + sources.stream().map(SourceState::source).toList()
        + "]";
  }
}
