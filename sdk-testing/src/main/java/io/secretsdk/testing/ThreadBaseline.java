package io.secretsdk.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The threads alive with a name prefix when a test starts; at its end, the threads with that prefix
 * that the test started and that are still alive after a grace period.
 */
final class ThreadBaseline {

  private final String prefix;
  private final Set<String> except;
  private final Set<Thread> before;

  private ThreadBaseline(String prefix, Set<String> except) {
    this.prefix = prefix;
    this.except = except;
    this.before = Set.copyOf(matching());
  }

  static ThreadBaseline take(String prefix, Set<String> except) {
    return new ThreadBaseline(prefix, except);
  }

  /**
   * The names of the threads started since the baseline that are still alive after {@code grace}.
   */
  List<String> leftBehind(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread thread : started()) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        thread.join(Math.max(1, left / 1_000_000));
      }
    }
    List<String> names = new ArrayList<>();
    for (Thread thread : started()) {
      names.add(thread.getName() + (thread.isDaemon() ? " (daemon)" : ""));
    }
    return names;
  }

  private List<Thread> started() {
    List<Thread> started = new ArrayList<>();
    for (Thread thread : matching()) {
      if (!before.contains(thread)) {
        started.add(thread);
      }
    }
    return started;
  }

  private List<Thread> matching() {
    List<Thread> matching = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive()
          && thread.getName().startsWith(prefix)
          && !except.contains(thread.getName())) {
        matching.add(thread);
      }
    }
    return matching;
  }
}
