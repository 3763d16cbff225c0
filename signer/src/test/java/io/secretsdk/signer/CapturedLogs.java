package io.secretsdk.signer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects every log record secretsdk writes through {@code System.Logger} (backed by
 * java.util.logging here), formatted with its thrown exception, so tests can prove no secret value
 * is ever logged. Install in {@code @BeforeEach}, close in {@code @AfterEach}.
 * Public for the sidecar module's tests (this module publishes a test jar).
 */
public final class CapturedLogs extends Handler implements AutoCloseable {

  private final Logger logger = Logger.getLogger("io.secretsdk");
  private final Level previous;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  /** Starts capturing. */
  public CapturedLogs() {
    previous = logger.getLevel();
    logger.setLevel(Level.ALL);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    StringBuilder sb = new StringBuilder(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage());
    Throwable t = record.getThrown();
    while (t != null) {
      sb.append(" | ").append(t);
      t = t.getCause();
    }
    lines.add(sb.toString());
  }

  /** Every record so far, formatted. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Every record so far, one per line. */
  public String all() {
    return String.join("\n", lines);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
