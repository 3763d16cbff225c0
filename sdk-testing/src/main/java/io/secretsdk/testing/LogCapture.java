package io.secretsdk.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The log records captured while one test (or one test class, for a {@code @BeforeAll} parameter)
 * runs: every {@code java.util.logging} / {@code System.Logger} record plus whatever the {@link
 * LogSource}s registered on the {@link SecretLeakExtension} capture. Logging is a JVM-wide
 * resource, so records that other tests running in parallel log at the same time are captured too;
 * canary checks are unaffected, since each test checks only for its own canaries. Obtain an
 * instance as a test or lifecycle method parameter. Thread-safe.
 */
public final class LogCapture {

  private final List<CapturedLogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture() {}

  void add(CapturedLogRecord record) {
    records.add(record);
  }

  /** Every record captured so far, oldest first. */
  public List<CapturedLogRecord> records() {
    return List.copyOf(records);
  }

  /** The records captured so far whose logger name starts with {@code loggerPrefix}. */
  public List<CapturedLogRecord> records(String loggerPrefix) {
    List<CapturedLogRecord> matching = new ArrayList<>();
    for (CapturedLogRecord record : records) {
      if (record.logger().startsWith(loggerPrefix)) {
        matching.add(record);
      }
    }
    return List.copyOf(matching);
  }

  /** Every record captured so far as {@link CapturedLogRecord#text()}, one after the other. */
  public String text() {
    StringBuilder text = new StringBuilder();
    for (CapturedLogRecord record : records) {
      text.append(record.text()).append('\n');
    }
    return text.toString();
  }
}
