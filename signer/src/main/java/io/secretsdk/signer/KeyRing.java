package io.secretsdk.signer;

import io.secretsdk.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The keys of one name: the current one and the previous ones still within their grace period.
 *
 * <p>Readers take {@link #state()} (one volatile read of an immutable {@link State}); writers
 * ({@link #observe}) are serialized on the ring. A state is derived from store snapshots by
 * revision, so an event that arrives late (an older revision) never replaces a newer key: its key
 * is only remembered as a previous one.
 */
final class KeyRing {

  /** A key that stopped being current at {@code retiredAt}. */
  static final class Retired {
    final KeyVersion key;
    final Instant retiredAt;

    Retired(KeyVersion key, Instant retiredAt) {
      this.key = key;
      this.retiredAt = retiredAt;
    }
  }

  /** An immutable view of the ring. */
  static final class State {
    /** The secret object this state was derived from (identity only), or null. */
    final Secret seen;

    final long revision;

    /** The key new signatures use, or null when the name is absent or its value unusable. */
    final KeyVersion current;

    /** Why the name's value is not usable, or null. */
    final String problem;

    /** Previous keys, most recently retired first, at most maxOldKeys. */
    final List<Retired> previous;

    State(Secret seen, long revision, KeyVersion current, String problem, List<Retired> previous) {
      this.seen = seen;
      this.revision = revision;
      this.current = current;
      this.problem = problem;
      this.previous = previous;
    }
  }

  private final String name;
  private final Duration grace;
  private final int maxOldKeys;
  private final int minKeyBytes;
  private final Clock clock;
  private final Consumer<String> log;
  private volatile State state = new State(null, Long.MIN_VALUE, null, null, List.of());

  KeyRing(
      String name,
      Duration grace,
      int maxOldKeys,
      int minKeyBytes,
      Clock clock,
      Consumer<String> log) {
    this.name = name;
    this.grace = grace;
    this.maxOldKeys = maxOldKeys;
    this.minKeyBytes = minKeyBytes;
    this.clock = clock;
    this.log = log;
  }

  State state() {
    return state;
  }

  String name() {
    return name;
  }

  /**
   * Brings the ring up to date with the value a snapshot of {@code revision} holds for this name
   * ({@code null}: the name is absent from it).
   */
  synchronized State observe(Secret secret, long revision) {
    State st = state;
    if (revision < st.revision) {
      // A late event about an older generation: never current again, but its signatures may exist
      // (another replica may have signed with it), so remember it as a previous key.
      if (secret != null && secret.length() >= minKeyBytes && !knows(st, secret)) {
        List<Retired> previous = new ArrayList<>(st.previous);
        previous.add(0, new Retired(new KeyVersion(secret.bytes()), clock.instant()));
        state = new State(st.seen, st.revision, st.current, st.problem, trim(previous));
        log.accept(
            "signing key '"
                + name
                + "': an older generation was seen late; it verifies during the grace period");
      }
      return state;
    }
    if (secret == st.seen) {
      return st;
    }
    if (secret != null && st.current != null && st.current.sameBytes(secret)) {
      state = new State(secret, revision, st.current, null, st.previous);
      return state;
    }
    Instant now = clock.instant();
    List<Retired> previous = new ArrayList<>(st.previous);
    KeyVersion next = null;
    String problem = null;
    if (secret != null) {
      if (secret.length() < minKeyBytes) {
        problem =
            "signing key '"
                + name
                + "' is unusable: it is "
                + (secret.length() == 0
                    ? "empty"
                    : "shorter than the " + minKeyBytes + "-byte minimum");
      } else {
        // A key that comes back (a rollback) keeps its version and per-thread Macs.
        for (int i = 0; i < previous.size(); i++) {
          if (previous.get(i).key.sameBytes(secret)) {
            next = previous.remove(i).key;
            break;
          }
        }
        if (next == null) {
          next = new KeyVersion(secret.bytes());
        }
      }
    }
    KeyVersion old = st.current;
    if (old != null) {
      previous.add(0, new Retired(old, now));
    }
    State updated = new State(secret, revision, next, problem, trim(previous));
    state = updated;
    describe(old, updated, st.problem);
    return updated;
  }

  private void describe(KeyVersion old, State updated, String oldProblem) {
    KeyVersion next = updated.current;
    if (old == null && next != null) {
      log.accept("signing key '" + name + "' loaded: key id " + next.id());
    } else if (old != null && next != null) {
      log.accept(
          "signing key '"
              + name
              + "' rotated: key id "
              + old.id()
              + " -> "
              + next.id()
              + "; "
              + old.id()
              + " still verifies for "
              + grace);
    } else if (old != null) {
      log.accept(
          (updated.problem != null ? updated.problem : "signing key '" + name + "' was removed")
              + "; key id "
              + old.id()
              + " still verifies for "
              + grace);
    } else if (updated.problem != null && !updated.problem.equals(oldProblem)) {
      log.accept(updated.problem);
    }
  }

  /** Previous keys still within the grace period at {@code now}, most recent first. */
  List<KeyVersion> verifiable(State st, Instant now) {
    if (st.previous.isEmpty()) {
      return List.of();
    }
    List<KeyVersion> out = new ArrayList<>(st.previous.size());
    for (Retired r : st.previous) {
      if (inGrace(r, now)) {
        out.add(r.key);
      }
    }
    return out;
  }

  boolean inGrace(Retired r, Instant now) {
    return now.isBefore(r.retiredAt.plus(grace));
  }

  private List<Retired> trim(List<Retired> previous) {
    Instant now = clock.instant();
    previous.removeIf(r -> !inGrace(r, now));
    while (previous.size() > maxOldKeys) {
      previous.remove(previous.size() - 1);
    }
    return Collections.unmodifiableList(previous);
  }

  private static boolean knows(State st, Secret secret) {
    if (st.current != null && st.current.sameBytes(secret)) {
      return true;
    }
    for (Retired r : st.previous) {
      if (r.key.sameBytes(secret)) {
        return true;
      }
    }
    return false;
  }
}
