package io.secretsdk.testing;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit Jupiter extension that proves secrets do not leak: it hands each test fresh {@link
 * Canaries} to plant where secrets would be, captures the log records written while the test runs
 * ({@link LogCapture}), and fails the test when a canary appears in a log record (message,
 * parameters or thrown exception), in an exception the test throws, or in a {@code toString()}
 * passed to {@link Canaries#assertNoLeak}. On request it also fails a test that leaves threads or
 * open files behind.
 *
 * <pre>{@code
 * class StoreTests {
 *   @RegisterExtension
 *   static final SecretLeakExtension leaks = SecretLeakExtension.create().checkThreads("secretsdk-");
 *
 *   @Test
 *   void rotationIsSeen(Canaries canaries, LogCapture logs, @TempDir Path dir) {
 *     String password = canaries.next("password");
 *     ...
 *     canaries.assertNoLeak(store, store.health());
 *   }
 * }
 * }</pre>
 *
 * <p>Or with defaults: {@code @ExtendWith(SecretLeakExtension.class)}. Registered on the class
 * (static field or {@code @ExtendWith}), it also captures from {@code @BeforeAll} to
 * {@code @AfterAll} and resolves {@code Canaries}/{@code LogCapture}/{@link SystemProperties}
 * parameters of {@code @BeforeAll} methods; those class-wide canaries count in every test of the
 * class. {@link SystemProperties} set through a parameter are restored when the test (or class)
 * ends.
 *
 * <p>Log capture: every {@code java.util.logging} record (and so every {@code System.Logger} record
 * of the JDK's default backend) is captured, loggers named by {@link #allLevelsOf(String...)}
 * (default {@code io.secretsdk}) at every level. By default the capture is quiet: the console
 * handlers are detached while tests run, so expected warnings and stack traces do not alarm whoever
 * reads a green build's output, and the captured records of a test that fails are printed, canaries
 * masked, after it. Other logging (Logback, the console) is captured through a {@link LogSource}.
 *
 * <p>Parallel execution: canaries, records and baselines are per test. Logging and thread
 * enumeration are JVM-wide, so a test also sees records of tests running beside it (harmless: each
 * test looks only for its own canaries), and a thread check counts every new thread with the
 * prefix: give the threads of what a test starts a prefix no concurrent test uses, or keep such
 * tests in one thread ({@code @Isolated}). The same holds for file descriptors.
 *
 * <p>Instances are immutable and thread-safe; every configuration method returns a new instance.
 *
 * <p>Its length is the JUnit callbacks and the immutable configuration methods; capturing, canaries
 * and baselines are classes of their own.
 */
public final class SecretLeakExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver,
        TestExecutionExceptionHandler {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SecretLeakExtension.class);
  private static final String CLASS_SESSION = "class-session";
  private static final String METHOD_SESSION = "method-session";

  private final String threadPrefix;
  private final Set<String> threadExceptions;
  private final boolean fileDescriptors;
  private final boolean quiet;
  private final List<String> allLevelsOf;
  private final List<LogSource> sources;
  private final Duration grace;

  /** The extension with its defaults, for {@code @ExtendWith(SecretLeakExtension.class)}. */
  public SecretLeakExtension() {
    this(null, Set.of(), false, true, List.of("io.secretsdk"), List.of(), Duration.ofSeconds(10));
  }

  private SecretLeakExtension(
      String threadPrefix,
      Set<String> threadExceptions,
      boolean fileDescriptors,
      boolean quiet,
      List<String> allLevelsOf,
      List<LogSource> sources,
      Duration grace) {
    this.threadPrefix = threadPrefix;
    this.threadExceptions = Set.copyOf(threadExceptions);
    this.fileDescriptors = fileDescriptors;
    this.quiet = quiet;
    this.allLevelsOf = List.copyOf(allLevelsOf);
    this.sources = List.copyOf(sources);
    this.grace = grace;
  }

  /**
   * The extension with its defaults: canaries and quiet log capture, no thread or file checks.
   *
   * @return a new extension
   */
  public static SecretLeakExtension create() {
    return new SecretLeakExtension();
  }

  /**
   * Also fails a test that leaves behind a thread whose name starts with {@code prefix} and that
   * was not alive when the test started (waiting up to the {@link #grace(Duration) grace period}
   * for it to end).
   *
   * @param prefix the thread name prefix, for example {@code "secretsdk-watch-"}
   * @param except exact names never counted: JVM-wide threads that live on by design
   * @return a new extension with the check
   */
  public SecretLeakExtension checkThreads(String prefix, String... except) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("the thread name prefix must not be empty");
    }
    return new SecretLeakExtension(
        prefix, Set.of(except), fileDescriptors, quiet, allLevelsOf, sources, grace);
  }

  /**
   * Also fails a test that leaves open a file or an inotify instance it opened, read from {@code
   * /proc/self/fd} before and after the test. Only Linux has that directory: elsewhere the check is
   * not made (and says so in the test's report entries).
   *
   * @return a new extension with the check
   */
  public SecretLeakExtension checkFileDescriptors() {
    return new SecretLeakExtension(
        threadPrefix, threadExceptions, true, quiet, allLevelsOf, sources, grace);
  }

  /**
   * Whether to keep captured log output off the console while tests pass (default {@code true}).
   *
   * @param quiet {@code false} to let records reach the console handlers as well
   * @return a new extension with the setting
   */
  public SecretLeakExtension quiet(boolean quiet) {
    return new SecretLeakExtension(
        threadPrefix, threadExceptions, fileDescriptors, quiet, allLevelsOf, sources, grace);
  }

  /**
   * The JUL loggers whose level is set to {@code ALL} while a test runs, so that debug records,
   * where values are most often leaked, are written and checked too (default {@code io.secretsdk}).
   * Their previous levels are restored afterwards.
   *
   * @param loggerNames logger names (prefixes of the hierarchy)
   * @return a new extension with the setting
   */
  public SecretLeakExtension allLevelsOf(String... loggerNames) {
    return new SecretLeakExtension(
        threadPrefix,
        threadExceptions,
        fileDescriptors,
        quiet,
        List.of(loggerNames),
        sources,
        grace);
  }

  /**
   * Also captures from {@code source} (for example {@link LogSource#standardStreams()} for Spring
   * Boot's console logging).
   *
   * @param source a log source; started for each test and class, stopped after it
   * @return a new extension that captures from it too
   */
  public SecretLeakExtension capture(LogSource source) {
    Objects.requireNonNull(source, "source");
    List<LogSource> more = new ArrayList<>(sources);
    more.add(source);
    return new SecretLeakExtension(
        threadPrefix, threadExceptions, fileDescriptors, quiet, allLevelsOf, more, grace);
  }

  /**
   * How long to wait for threads and files to go at the end of a test (default 10 seconds).
   *
   * @param grace a positive duration
   * @return a new extension with the setting
   */
  public SecretLeakExtension grace(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("grace must be positive: " + grace);
    }
    return new SecretLeakExtension(
        threadPrefix, threadExceptions, fileDescriptors, quiet, allLevelsOf, sources, grace);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Session session = new Session(null);
    context.getStore(NAMESPACE).put(CLASS_SESSION, session);
    session.start(false, context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Session session = context.getStore(NAMESPACE).remove(CLASS_SESSION, Session.class);
    if (session != null) {
      session.finish(context, "the test class " + context.getDisplayName());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Session parent = classSession(context);
    Session session = new Session(parent);
    context.getStore(NAMESPACE).put(METHOD_SESSION, session);
    if (parent != null) {
      parent.runningTests.incrementAndGet();
    }
    session.start(true, context);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Session session = context.getStore(NAMESPACE).remove(METHOD_SESSION, Session.class);
    if (session != null) {
      try {
        session.finish(context, "the test " + context.getDisplayName());
      } finally {
        if (session.parent != null) {
          session.parent.runningTests.decrementAndGet();
        }
      }
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable thrown)
      throws Throwable {
    Session session = context.getStore(NAMESPACE).get(METHOD_SESSION, Session.class);
    if (session != null && !(thrown instanceof AssertionError)) {
      String trace = Canaries.stackTrace(thrown);
      Canaries.Canary leaked = session.canaries.firstLeak(trace);
      if (leaked != null) {
        // The original would print the canary; report it masked instead.
        throw new AssertionError(
            "canary #"
                + leaked.index
                + " ("
                + leaked.label
                + ") leaked into an exception the test threw: "
                + session.canaries.mask(trace));
      }
    }
    throw thrown;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Canaries.class || type == LogCapture.class || type == SystemProperties.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Session session = context.getStore(NAMESPACE).get(METHOD_SESSION, Session.class);
    if (session == null || context.getTestMethod().isEmpty()) {
      session = classSession(context);
    }
    if (session == null) {
      throw new ParameterResolutionException(
          "no SecretLeakExtension session for "
              + context.getDisplayName()
              + ": register the extension on the class (a static field or @ExtendWith) to use it in @BeforeAll");
    }
    Class<?> type = parameter.getParameter().getType();
    return type == Canaries.class
        ? session.canaries
        : type == LogCapture.class ? session.logs : session.properties;
  }

  private static Session classSession(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      Session session = c.getStore(NAMESPACE).get(CLASS_SESSION, Session.class);
      if (session != null) {
        return session;
      }
    }
    return null;
  }

  /** The canaries, the capture and the baselines of one test or one test class. */
  private final class Session {
    final Session parent;
    final Canaries canaries;
    final LogCapture logs = new LogCapture();
    final SystemProperties properties = new SystemProperties();

    /** Records logged while a test of the class runs belong to that test, not to the class. */
    final java.util.concurrent.atomic.AtomicInteger runningTests =
        new java.util.concurrent.atomic.AtomicInteger();

    private final List<AutoCloseable> captures = new ArrayList<>();
    private ThreadBaseline threads;
    private FileDescriptorBaseline files;

    Session(Session parent) {
      this.parent = parent;
      this.canaries = new Canaries(parent == null ? null : parent.canaries);
    }

    void start(boolean perTest, ExtensionContext context) throws Exception {
      java.util.function.Consumer<CapturedLogRecord> sink =
          perTest
              ? logs::add
              : record -> {
                if (runningTests.get() == 0) {
                  logs.add(record);
                }
              };
      captures.add(JulCapture.start(sink, quiet, allLevelsOf));
      for (LogSource source : sources) {
        captures.add(Objects.requireNonNull(source.start(sink), "LogSource.start returned null"));
      }
      if (perTest && threadPrefix != null) {
        threads = ThreadBaseline.take(threadPrefix, threadExceptions);
      }
      if (perTest && fileDescriptors) {
        if (FileDescriptorBaseline.supported()) {
          files = FileDescriptorBaseline.take();
        } else {
          context.publishReportEntry(
              "secretsdk-testing", "no file descriptor check: /proc/self/fd is Linux only");
        }
      }
    }

    void finish(ExtensionContext context, String what) throws Exception {
      List<String> problems = new ArrayList<>();
      try {
        if (threads != null) {
          List<String> left = threads.leftBehind(grace);
          if (!left.isEmpty()) {
            problems.add(what + " left threads running after " + grace.toMillis() + " ms: " + left);
          }
        }
        if (files != null) {
          List<String> left = files.leftBehind(grace);
          if (!left.isEmpty()) {
            problems.add(what + " left files open after " + grace.toMillis() + " ms: " + left);
          }
        }
      } finally {
        properties.restore();
        closeCaptures();
      }
      Set<String> leaks = new LinkedHashSet<>();
      for (CapturedLogRecord record : logs.records()) {
        Canaries.Canary leaked = leakIn(record.text());
        if (leaked != null) {
          leaks.add(
              "canary #"
                  + leaked.index
                  + " ("
                  + leaked.label
                  + ") leaked into a log record: "
                  + mask(record.text()));
        }
      }
      problems.addAll(leaks);
      if (parent != null) {
        parent.adopt(canaries);
      }
      boolean failed = context.getExecutionException().isPresent() || !problems.isEmpty();
      if (failed && quiet && !logs.records().isEmpty()) {
        PrintStream console = StandardStreamsCapture.console();
        console.println("---- log records captured during " + what + " (canaries masked) ----");
        console.print(mask(logs.text()));
        console.println("---- end of captured log records ----");
      }
      if (!problems.isEmpty()) {
        throw new AssertionError(String.join("\n", problems));
      }
    }

    private final List<Canaries> adopted = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A finished test's canaries also count in the class's records (logged during or after it). */
    void adopt(Canaries child) {
      adopted.add(child);
    }

    private Canaries.Canary leakIn(String text) {
      Canaries.Canary leaked = canaries.firstLeak(text);
      for (int i = 0; leaked == null && i < adopted.size(); i++) {
        leaked = adopted.get(i).firstLeak(text);
      }
      return leaked;
    }

    private String mask(String text) {
      String masked = canaries.mask(text);
      for (Canaries child : adopted) {
        masked = child.mask(masked);
      }
      return masked;
    }

    private void closeCaptures() throws Exception {
      Exception failure = null;
      for (int i = captures.size() - 1; i >= 0; i--) {
        try {
          captures.get(i).close();
        } catch (Exception e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      captures.clear();
      if (failure != null) {
        throw failure;
      }
    }
  }
}
