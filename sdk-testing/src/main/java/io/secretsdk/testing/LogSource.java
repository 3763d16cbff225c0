package io.secretsdk.testing;

import java.util.function.Consumer;

/**
 * A place log output can be captured from, in addition to {@code java.util.logging} (which {@link
 * SecretLeakExtension} always captures). Implement it for a logging framework the tests use (for
 * example a Logback appender added to the root logger) or use {@link #standardStreams()} to capture
 * what any framework writes to the console, as Spring Boot's default Logback configuration does.
 *
 * <p>Implementations must be thread-safe: {@link #start} may be called for tests running in
 * parallel, and records may arrive from any thread.
 */
@FunctionalInterface
public interface LogSource {

  /**
   * Starts capturing into {@code sink} until the returned handle is closed.
   *
   * @param sink receives every captured record; thread-safe
   * @return the handle that stops this capture; closing it twice does nothing
   * @throws Exception when capturing cannot start; the test fails with it
   */
  AutoCloseable start(Consumer<CapturedLogRecord> sink) throws Exception;

  /**
   * {@code System.out} and {@code System.err}, captured line by line and not printed while a test
   * runs (printed, with canaries masked, when the test fails). Console appenders that look up
   * {@code System.out} on every write (Logback's, JUL's {@code ConsoleHandler} is not one of them)
   * are captured too. The streams are JVM-wide: output of tests running in parallel is captured by
   * each of them.
   *
   * @return the source
   */
  static LogSource standardStreams() {
    return StandardStreamsCapture::start;
  }
}
