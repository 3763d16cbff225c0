package io.secretsdk;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The threads one store started, told apart from those of stores other test classes run at the same
 * time (the suite runs classes in parallel): by the store's id in the thread names, or by the
 * thread group the store was built in.
 */
final class StoreThreads {

  private StoreThreads() {}

  /**
   * The live threads named after {@code store}: {@code secretsdk-watch-<id>} and {@code
   * secretsdk-notify-<id>}.
   */
  static Set<Thread> of(SecretStore store) {
    int id = ((LiveSecretStore) store).id();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(
            t ->
                t.getName().equals("secretsdk-watch-" + id)
                    || t.getName().equals("secretsdk-notify-" + id))
        .collect(Collectors.toSet());
  }

  /**
   * Runs {@code action} on a thread of a new thread group and returns the secretsdk threads left
   * alive in that group afterwards: threads inherit their creator's group, so these are exactly the
   * ones {@code action} started (the shared watch dispatcher, {@code secretsdk-watch-events},
   * belongs to the JVM, not to a store, and is left out).
   */
  static Set<Thread> startedBy(Runnable action) throws InterruptedException {
    ThreadGroup group = new ThreadGroup("store-threads-under-test");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread runner =
        new Thread(
            group,
            () -> {
              try {
                action.run();
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "store-test-runner");
    runner.start();
    runner.join();
    Thread[] threads = new Thread[group.activeCount() + 8];
    int n = group.enumerate(threads, true);
    Set<Thread> left = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      Thread t = threads[i];
      if (t.isAlive()
          && t.getName().startsWith("secretsdk-")
          && !t.getName().equals("secretsdk-watch-events")) {
        left.add(t);
      }
    }
    if (failure.get() instanceof RuntimeException e) {
      throw e;
    }
    if (failure.get() instanceof Error e) {
      throw e;
    }
    return left;
  }
}
