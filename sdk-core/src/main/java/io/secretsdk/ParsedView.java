package io.secretsdk;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine behind every {@link SecretView}: takes the view's secrets from a snapshot, parses them
 * once per distinct content, installs a parsed value only when it passes the view's checks, keeps
 * the last good value otherwise, and tells the view's listeners about installs.
 *
 * <p>Why no cache library: a view has exactly one "current" content, so the parse cache is one
 * immutable {@link State} in a volatile field holding the input secrets and what they parsed to. A
 * read compares the snapshot by identity (the common case, no work at all), then the input secrets
 * by value (an unrelated key rotated: no parse), and parses only when they differ, under a lock so
 * concurrent readers after a rotation parse once.
 *
 * <p>Thread-safe.
 *
 * @param <T> the parsed value type, immutable
 */
final class ParsedView<T> {

  private static final System.Logger LOG = System.getLogger(SecretView.class.getName());

  /** Parses a generation's secrets (in the order of the view's names, null when absent). */
  @FunctionalInterface
  interface Parser<T> {
    /**
     * @throws SecretException naming the file and the problem, never the content
     */
    T parse(List<Secret> inputs);
  }

  /** A time-dependent check: why a parsed value may not be installed at {@code now}, or null. */
  @FunctionalInterface
  interface Timing<T> {
    String problem(T value, Instant now);
  }

  /**
   * What the view knows: the snapshot it last looked at, the inputs taken from it and what they
   * parsed to, and the installed value with the inputs it came from.
   */
  record State<T>(
      SecretSnapshot snapshot,
      List<Secret> inputs,
      T candidate,
      String problem,
      boolean retryLater,
      T installed,
      List<Secret> installedInputs,
      Instant installedAt,
      long installs,
      long rejections) {}

  private final SecretStore store;
  private final List<String> names;
  private final String description;
  private final Parser<T> parser;
  private final Timing<T> timing;
  private final Clock clock;
  private final Object lock = new Object();
  private final AtomicLong parses = new AtomicLong();
  private final List<SecretViewListener<? super T>> listeners = new CopyOnWriteArrayList<>();
  private volatile State<T> state =
      new State<>(null, null, null, "no generation read yet", false, null, null, null, 0, 0);
  private final Object subscribeLock = new Object();
  private Subscription storeSubscription; // guarded by subscribeLock
  private Subscription registration; // guarded by subscribeLock
  private T lastNotified; // guarded by "this"
  private volatile boolean closed; // written under both locks

  ParsedView(
      SecretStore store,
      List<String> names,
      String description,
      Parser<T> parser,
      Timing<T> timing,
      Clock clock) {
    this.store = store;
    this.names = List.copyOf(names);
    this.description = description;
    this.parser = parser;
    this.timing = timing;
    this.clock = clock;
  }

  List<String> names() {
    return names;
  }

  String description() {
    return description;
  }

  /** How many times the parser ran: once per distinct content. */
  long parses() {
    return parses.get();
  }

  /** The state for the store's current snapshot. */
  State<T> resolve() {
    return resolve(store.snapshot());
  }

  /** The installed value for the store's current snapshot, or {@code null}. */
  T installed() {
    return resolve().installed();
  }

  State<T> resolve(SecretSnapshot snapshot) {
    State<T> s = state;
    if (fresh(s, snapshot)) {
      return s;
    }
    synchronized (lock) {
      s = state;
      if (fresh(s, snapshot)) {
        return s;
      }
      State<T> next = advance(s, snapshot);
      state = next;
      return next;
    }
  }

  private boolean fresh(State<T> s, SecretSnapshot snapshot) {
    if (s.snapshot() == null) {
      return false;
    }
    if (s.snapshot() == snapshot || snapshot.revision() < s.snapshot().revision()) {
      // An older snapshot than the one already resolved: the newer state stands.
      return !s.retryLater() || s.snapshot() != snapshot;
    }
    return false;
  }

  private State<T> advance(State<T> s, SecretSnapshot snapshot) {
    List<Secret> inputs = new ArrayList<>(names.size());
    for (String name : names) {
      inputs.add(snapshot.find(name));
    }
    inputs = Collections.unmodifiableList(inputs);
    T candidate;
    String problem;
    long rejections = s.rejections();
    boolean newContent = !inputs.equals(s.inputs());
    if (newContent) {
      parses.incrementAndGet();
      try {
        candidate = parser.parse(inputs);
        problem = null;
      } catch (SecretException e) {
        candidate = null;
        problem = e.getMessage();
        rejections++;
        LOG.log(
            Level.WARNING,
            description + ": generation not installed, keeping the last good value: " + problem);
      }
    } else {
      candidate = s.candidate();
      problem = candidate == null ? s.problem() : null;
    }
    T installed = s.installed();
    List<Secret> installedInputs = s.installedInputs();
    Instant installedAt = s.installedAt();
    long installs = s.installs();
    boolean retryLater = false;
    if (candidate != null && candidate != installed) {
      String timeProblem = timing == null ? null : timing.problem(candidate, clock.instant());
      if (timeProblem != null) {
        problem = timeProblem;
        retryLater = true;
        if (newContent) {
          rejections++;
          LOG.log(
              Level.WARNING,
              description + ": generation not installed, keeping the last good value: " + problem);
        }
      } else if (installed != null && candidate.equals(installed)) {
        // Equal content from other secrets (a rotation back, another origin): keep the instance.
        candidate = installed;
        installedInputs = inputs;
      } else {
        installed = candidate;
        installedInputs = inputs;
        installedAt = clock.instant();
        installs++;
        LOG.log(Level.INFO, description + ": installed " + candidate);
      }
    }
    // A refused time check is retried on every read until it passes; the content stays parsed.
    return new State<>(
        snapshot,
        inputs,
        candidate,
        problem,
        retryLater,
        installed,
        installedInputs,
        installedAt,
        installs,
        rejections);
  }

  /**
   * Registers {@code owner} with the store, so the store's health includes the view's, and
   * subscribes to the store, so a generation that changes the view's names is parsed and installed
   * on the store's notification thread as soon as it is published, not by the first handshake or
   * read after it (those still resolve the current snapshot themselves and never see a stale
   * value). Parses the current generation. Called once, by the view's factory, after construction.
   */
  void open(SecretView<T> owner) {
    synchronized (subscribeLock) {
      registration = store.registerView(owner);
      try {
        subscribeToStore();
      } catch (IllegalStateException e) {
        // A closed store publishes nothing more; reads keep answering from its last snapshot.
      } catch (RuntimeException | Error e) {
        // The view is not handed out: it must not stay in the store's health either.
        registration.close();
        registration = null;
        throw e;
      }
    }
  }

  Subscription subscribe(SecretViewListener<? super T> listener) {
    // The store is called outside the notification lock, so its own locks never nest inside ours.
    synchronized (subscribeLock) {
      if (closed) {
        throw new IllegalStateException(description + " is closed");
      }
      subscribeToStore();
      listeners.add(listener);
    }
    return () -> listeners.remove(listener);
  }

  /** Guarded by subscribeLock. */
  private void subscribeToStore() {
    if (storeSubscription == null) {
      T installed = installed();
      synchronized (this) {
        lastNotified = installed;
      }
      storeSubscription = store.subscribe(this::onStoreChange);
    }
  }

  private void onStoreChange(SecretChangeEvent event) {
    boolean touched = false;
    for (String name : names) {
      if (event.names().contains(name)) {
        touched = true;
        break;
      }
    }
    if (!touched) {
      return;
    }
    T current = installed();
    T previous;
    synchronized (this) {
      if (closed || current == lastNotified || current == null) {
        return;
      }
      previous = lastNotified;
      lastNotified = current;
    }
    for (SecretViewListener<? super T> listener : listeners) {
      try {
        listener.onChange(previous, current);
      } catch (RuntimeException | AssertionError e) {
        LOG.log(
            Level.WARNING,
            description
                + ": listener "
                + listener.getClass().getName()
                + " threw "
                + e.getClass().getName()
                + " (message not logged: it could quote a value)");
      }
    }
  }

  /** Stops listener delivery and removes the view from the store's health. Idempotent. */
  void close() {
    Subscription subscription;
    Subscription registered;
    synchronized (subscribeLock) {
      synchronized (this) {
        closed = true;
      }
      subscription = storeSubscription;
      storeSubscription = null;
      registered = registration;
      registration = null;
      listeners.clear();
    }
    if (subscription != null) {
      subscription.close();
    }
    if (registered != null) {
      registered.close();
    }
  }
}
