package io.secretsdk;

import java.util.concurrent.ThreadFactory;

/** Makes named daemon threads, so every thread secretsdk starts says whose it is. */
final class DaemonThreads implements ThreadFactory {

  private final String name;

  DaemonThreads(String name) {
    this.name = name;
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
