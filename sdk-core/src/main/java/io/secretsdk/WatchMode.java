package io.secretsdk;

/** How a source notices changes. */
public enum WatchMode {
  /** File-system events through the JDK {@code WatchService}, with polling as a safety net. */
  EVENTS,
  /** Polling only: watching was turned off, or no watch service could be had (inotify limits). */
  POLLING,
  /** Read on {@code build()} and {@link SecretStore#refresh()} only. */
  NONE
}
