package io.secretsdk.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One handler on the JUL root logger, shared by every capture that is active (tests may run in
 * parallel). While at least one quiet capture is active, the root logger's other handlers (the
 * console) are detached, so expected warnings and stack traces stay out of a green build's output;
 * the extension prints them, masked, when a test fails.
 */
final class JulCapture extends Handler {

  private static final JulCapture INSTANCE = new JulCapture();

  private final Set<Consumer<CapturedLogRecord>> sinks = new CopyOnWriteArraySet<>();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final Logger root = Logger.getLogger("");
  // Guarded by this.
  private int active;
  private int quiet;
  private final List<Handler> detached = new ArrayList<>();
  private final Map<String, Logger> raised = new HashMap<>();
  private final Map<String, Level> previousLevels = new HashMap<>();
  private final Map<String, Integer> raisedCount = new HashMap<>();

  private JulCapture() {
    setLevel(Level.ALL);
  }

  static AutoCloseable start(
      Consumer<CapturedLogRecord> sink, boolean quiet, List<String> allLevelsOf) {
    return INSTANCE.add(sink, quiet, allLevelsOf);
  }

  private synchronized AutoCloseable add(
      Consumer<CapturedLogRecord> sink, boolean quietly, List<String> allLevelsOf) {
    sinks.add(sink);
    active++;
    // A framework that resets JUL (Spring Boot's SLF4J bridge removes every root handler) may
    // have taken this handler off since the last start: put it back.
    if (!Arrays.asList(root.getHandlers()).contains(this)) {
      root.addHandler(this);
    }
    if (quietly && quiet++ == 0) {
      for (Handler handler : root.getHandlers()) {
        if (handler != this) {
          detached.add(handler);
          root.removeHandler(handler);
        }
      }
    }
    for (String name : allLevelsOf) {
      if (raisedCount.merge(name, 1, Integer::sum) == 1) {
        Logger logger = Logger.getLogger(name);
        raised.put(name, logger);
        previousLevels.put(name, logger.getLevel());
        logger.setLevel(Level.ALL);
      }
    }
    return new AutoCloseable() {
      private boolean closed;

      @Override
      public void close() {
        synchronized (JulCapture.this) {
          if (!closed) {
            closed = true;
            remove(sink, quietly, allLevelsOf);
          }
        }
      }
    };
  }

  private void remove(Consumer<CapturedLogRecord> sink, boolean quietly, List<String> allLevelsOf) {
    sinks.remove(sink);
    for (String name : allLevelsOf) {
      if (raisedCount.merge(name, -1, Integer::sum) == 0) {
        raisedCount.remove(name);
        raised.remove(name).setLevel(previousLevels.remove(name));
      }
    }
    if (quietly && --quiet == 0) {
      for (Handler handler : detached) {
        // Not when a framework installed its own handler of that kind meanwhile.
        if (Arrays.stream(root.getHandlers()).noneMatch(h -> h.getClass() == handler.getClass())) {
          root.addHandler(handler);
        }
      }
      detached.clear();
    }
    if (--active == 0) {
      root.removeHandler(this);
    }
  }

  @Override
  public void publish(LogRecord record) {
    if (record == null) {
      return;
    }
    String message;
    try {
      message = formatter.formatMessage(record);
    } catch (RuntimeException e) {
      message = String.valueOf(record.getMessage());
    }
    StringBuilder detail = new StringBuilder();
    if (record.getMessage() != null && !record.getMessage().equals(message)) {
      detail.append("raw message: ").append(record.getMessage()).append('\n');
    }
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (int i = 0; i < parameters.length; i++) {
        detail.append("parameter ").append(i).append(": ").append(parameters[i]).append('\n');
      }
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      detail.append(trace);
    }
    CapturedLogRecord captured =
        new CapturedLogRecord(
            "jul",
            record.getLevel().getName(),
            record.getLoggerName() == null ? "" : record.getLoggerName(),
            message == null ? "" : message,
            detail.toString());
    for (Consumer<CapturedLogRecord> sink : sinks) {
      sink.accept(captured);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
