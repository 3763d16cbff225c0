package io.secretsdk.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Replaces {@code System.out} and {@code System.err} while at least one capture is active and hands
 * every line to the active captures instead of the console.
 */
final class StandardStreamsCapture {

  private static final Set<Consumer<CapturedLogRecord>> SINKS = new CopyOnWriteArraySet<>();
  // Guarded by StandardStreamsCapture.class.
  private static int active;
  private static PrintStream originalOut;
  private static PrintStream originalErr;
  private static LineSplitter out;
  private static LineSplitter err;

  private StandardStreamsCapture() {}

  static synchronized AutoCloseable start(Consumer<CapturedLogRecord> sink) {
    SINKS.add(sink);
    if (active++ == 0) {
      originalOut = System.out;
      originalErr = System.err;
      Charset charset = StandardCharsets.UTF_8;
      out = new LineSplitter("stdout", charset);
      err = new LineSplitter("stderr", charset);
      System.setOut(new PrintStream(out, true, charset));
      System.setErr(new PrintStream(err, true, charset));
    }
    return new AutoCloseable() {
      private boolean closed;

      @Override
      public void close() {
        synchronized (StandardStreamsCapture.class) {
          if (!closed) {
            closed = true;
            SINKS.remove(sink);
            if (--active == 0) {
              System.out.flush();
              System.err.flush();
              out.drain();
              err.drain();
              System.setOut(originalOut);
              System.setErr(originalErr);
              originalOut = null;
              originalErr = null;
            }
          }
        }
      }
    };
  }

  /** The console's error stream, whether or not it is captured right now. */
  static synchronized PrintStream console() {
    return originalErr != null ? originalErr : System.err;
  }

  /** Collects bytes up to a newline, then hands the line to every active capture. */
  private static final class LineSplitter extends OutputStream {
    private final String name;
    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineSplitter(String name, Charset charset) {
      this.name = name;
      this.charset = charset;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        emit();
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    // flush() keeps a partial line: a value printed in two pieces must be searched as one line.
    synchronized void drain() {
      if (line.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String text = line.toString(charset);
      line.reset();
      CapturedLogRecord record = new CapturedLogRecord(name, "", "", text, "");
      for (Consumer<CapturedLogRecord> sink : SINKS) {
        sink.accept(record);
      }
    }
  }
}
