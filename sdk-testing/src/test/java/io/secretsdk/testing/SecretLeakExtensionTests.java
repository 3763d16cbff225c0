package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine and checks that the extension fails those that
 * leak a canary or leave threads or files behind, and passes those that do not. The fixture classes
 * are nested, so the build's own test run never picks them up.
 */
class SecretLeakExtensionTests {

  static final System.Logger SECRETSDK = System.getLogger("io.secretsdk.fixture");
  static volatile CountDownLatch release = new CountDownLatch(1);
  static final List<Object> OPEN = new ArrayList<>();
  static volatile String lastCanary;
  static volatile String console;

  @BeforeEach
  void holdFixtureThreads() {
    release = new CountDownLatch(1);
  }

  @AfterEach
  void releaseWhatFixturesLeft() throws IOException {
    release.countDown();
    synchronized (OPEN) {
      for (Object o : OPEN) {
        ((InputStream) o).close();
      }
      OPEN.clear();
    }
  }

  private static Events run(Class<?> fixture, String method) {
    java.lang.reflect.Method test =
        Arrays.stream(fixture.getDeclaredMethods())
            .filter(m -> m.getName().equals(method))
            .findFirst()
            .orElseThrow();
    return execute(selectMethod(fixture, test));
  }

  /** Runs the selected fixture tests with the console's error stream kept in {@link #console}. */
  private static Events execute(org.junit.platform.engine.DiscoverySelector selector) {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      return EngineTestKit.engine("junit-jupiter").selectors(selector).execute().testEvents();
    } finally {
      System.setErr(err);
      console = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static String failureOf(Events events) {
    assertThat(events.failed().count()).as("failed tests").isEqualTo(1);
    Throwable thrown =
        events.failed().stream()
            .findFirst()
            .orElseThrow()
            .getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow();
    return Canaries.stackTrace(thrown);
  }

  // ---- fixtures ----

  static class LoggingFixture {
    @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

    @Test
    void logsTheCanaryInTheMessage(Canaries canaries) {
      lastCanary = canaries.next("password");
      SECRETSDK.log(System.Logger.Level.WARNING, "refresh failed, value was " + lastCanary);
    }

    @Test
    void logsTheCanaryAsADebugParameter(Canaries canaries) {
      lastCanary = canaries.next("password");
      Logger.getLogger("io.secretsdk.fixture").log(Level.FINEST, "value {0}", lastCanary);
    }

    @Test
    void logsTheCanaryInAThrownException(Canaries canaries) {
      lastCanary = canaries.next("token");
      SECRETSDK.log(
          System.Logger.Level.ERROR,
          "refresh failed",
          new IllegalStateException("bad", new RuntimeException(lastCanary)));
    }

    @Test
    void logsTheCanaryAsHex(Canaries canaries) {
      byte[] key = canaries.nextRandomBytes(32);
      lastCanary = HexFormat.of().formatHex(key);
      SECRETSDK.log(System.Logger.Level.INFO, "key " + lastCanary);
    }

    @Test
    void logsTruncatedCanary(Canaries canaries) {
      lastCanary = canaries.next("password");
      SECRETSDK.log(System.Logger.Level.INFO, "starts with " + lastCanary.substring(0, 35));
    }

    @Test
    void logsNoCanary(Canaries canaries, LogCapture logs) {
      lastCanary = canaries.next("password");
      SECRETSDK.log(System.Logger.Level.WARNING, "refresh of password failed: file is too large");
      SECRETSDK.log(System.Logger.Level.DEBUG, "debug detail without the value");
      assertThat(logs.records("io.secretsdk.fixture"))
          .extracting(CapturedLogRecord::message)
          .contains(
              "refresh of password failed: file is too large", "debug detail without the value");
      // Quiet: while the test runs, only the capture is on the root logger.
      assertThat(Logger.getLogger("").getHandlers())
          .extracting(h -> h.getClass().getSimpleName())
          .containsExactly("JulCapture");
    }

    @Test
    void throwsTheCanary(Canaries canaries) {
      lastCanary = canaries.next("password");
      throw new IllegalArgumentException("could not parse " + lastCanary);
    }

    @Test
    void assertsOnALeakyToString(Canaries canaries) {
      lastCanary = canaries.next("password");
      Object leaky =
          new Object() {
            @Override
            public String toString() {
              return "Secret[password=" + lastCanary + "]";
            }
          };
      canaries.assertNoLeak("fine", leaky);
    }
  }

  static class PropertiesFixture {
    @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

    @Test
    void setsProperties(SystemProperties properties) {
      properties.set("secretsdk.fixture.set", "during").set("secretsdk.fixture.cleared", null);
      assertThat(System.getProperty("secretsdk.fixture.set")).isEqualTo("during");
      assertThat(System.getProperty("secretsdk.fixture.cleared")).isNull();
    }
  }

  static class ClassWideFixture {
    @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
    static String planted;

    @BeforeAll
    static void plant(Canaries canaries) {
      planted = canaries.next("shared");
    }

    @Test
    void logsTheClassWideCanary() {
      lastCanary = planted;
      SECRETSDK.log(System.Logger.Level.INFO, "shared value " + planted);
    }
  }

  static class ConsoleFixture {
    @RegisterExtension
    static final SecretLeakExtension leaks =
        SecretLeakExtension.create().capture(LogSource.standardStreams());

    @Test
    void printsTheCanary(Canaries canaries) {
      lastCanary = canaries.next("password");
      System.out.print("connecting with ");
      System.out.flush();
      System.out.println(lastCanary);
    }

    @Test
    void printsNoCanary(Canaries canaries, LogCapture logs) {
      canaries.next("password");
      System.out.println("connected");
      assertThat(logs.records()).extracting(CapturedLogRecord::message).contains("connected");
    }
  }

  static class ThreadFixture {
    @RegisterExtension
    static final SecretLeakExtension leaks =
        SecretLeakExtension.create()
            .checkThreads("leaktest-", "leaktest-shared")
            .grace(Duration.ofMillis(300));

    @Test
    void leavesAThreadRunning() {
      Thread t = new Thread(() -> awaitRelease(), "leaktest-worker-1");
      t.setDaemon(true);
      t.start();
    }

    @Test
    void stopsItsThread() throws InterruptedException {
      Thread t = new Thread(() -> {}, "leaktest-worker-2");
      t.start();
      t.join();
    }

    @Test
    void leavesOnlyAnExemptThread() {
      Thread t = new Thread(() -> awaitRelease(), "leaktest-shared");
      t.setDaemon(true);
      t.start();
    }
  }

  static class FileFixture {
    @RegisterExtension
    static final SecretLeakExtension leaks =
        SecretLeakExtension.create().checkFileDescriptors().grace(Duration.ofMillis(300));

    @TempDir Path dir;

    @Test
    void leavesAFileOpen() throws IOException {
      Path file = Files.writeString(dir.resolve("password"), "x");
      synchronized (OPEN) {
        OPEN.add(Files.newInputStream(file));
      }
    }

    @Test
    void closesItsFile() throws IOException {
      Path file = Files.writeString(dir.resolve("password"), "x");
      try (InputStream in = Files.newInputStream(file)) {
        assertThat(in.read()).isEqualTo('x');
      }
    }
  }

  private static void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the tests ----

  @Test
  void canaryInALogMessageFailsTheTestWithoutPrintingIt() {
    String failure = failureOf(run(LoggingFixture.class, "logsTheCanaryInTheMessage"));
    assertThat(failure)
        .contains("canary #1 (password) leaked into a log record")
        .contains("refresh failed, value was <canary #1 password>")
        .doesNotContain(lastCanary);
    // The failed test's records are printed after it, masked, once.
    assertThat(console)
        .contains("log records captured during the test logsTheCanaryInTheMessage")
        .containsOnlyOnce(
            "WARNING io.secretsdk.fixture: refresh failed, value was <canary #1 password>")
        .doesNotContain(lastCanary);
  }

  @Test
  void canaryInADebugParameterFailsTheTest() {
    String failure = failureOf(run(LoggingFixture.class, "logsTheCanaryAsADebugParameter"));
    assertThat(failure).contains("leaked into a log record").doesNotContain(lastCanary);
  }

  @Test
  void canaryInALoggedExceptionsCauseFailsTheTest() {
    String failure = failureOf(run(LoggingFixture.class, "logsTheCanaryInAThrownException"));
    assertThat(failure)
        .contains("canary #1 (token) leaked into a log record")
        .doesNotContain(lastCanary);
  }

  @Test
  void binaryCanaryFoundInHex() {
    String failure = failureOf(run(LoggingFixture.class, "logsTheCanaryAsHex"));
    assertThat(failure).contains("canary #1 (bytes)").doesNotContain(lastCanary);
  }

  @Test
  void truncatedCanaryStillCounts() {
    assertThat(failureOf(run(LoggingFixture.class, "logsTruncatedCanary")))
        .contains("leaked into a log record");
  }

  @Test
  void testThatLogsNoCanaryPassesAndConsoleHandlersComeBack() {
    Handler[] before = Logger.getLogger("").getHandlers();
    Level levelBefore = Logger.getLogger("io.secretsdk").getLevel();
    Events events = run(LoggingFixture.class, "logsNoCanary");
    assertThat(events.succeeded().count()).isEqualTo(1);
    assertThat(events.failed().count()).isZero();
    assertThat(console).as("a passing test's records stay off the console").isEmpty();
    assertThat(Logger.getLogger("").getHandlers()).containsExactlyInAnyOrder(before);
    assertThat(Logger.getLogger("io.secretsdk").getLevel()).isEqualTo(levelBefore);
  }

  @Test
  void exceptionThrownByTheTestIsReportedMasked() {
    String failure = failureOf(run(LoggingFixture.class, "throwsTheCanary"));
    assertThat(failure)
        .contains("leaked into an exception the test threw")
        .contains("IllegalArgumentException: could not parse <canary #1 password>")
        .doesNotContain(lastCanary);
  }

  @Test
  void leakyToStringFailsTheAssertion() {
    String failure = failureOf(run(LoggingFixture.class, "assertsOnALeakyToString"));
    assertThat(failure)
        .contains("leaked into the toString() of")
        .contains("Secret[password=<canary #1 password>]")
        .doesNotContain(lastCanary);
  }

  @Test
  void canaryPlantedInBeforeAllCountsInEveryTest() {
    Events events = execute(selectClass(ClassWideFixture.class));
    assertThat(failureOf(events))
        .contains("canary #1 (shared) leaked into a log record")
        .doesNotContain(lastCanary);
  }

  @Test
  void consoleOutputIsCapturedThroughALogSource() {
    java.io.PrintStream out = System.out;
    String failure = failureOf(run(ConsoleFixture.class, "printsTheCanary"));
    assertThat(failure).contains("leaked into a log record: connecting with <canary #1 password>");
    assertThat(System.out).isSameAs(out);
    assertThat(run(ConsoleFixture.class, "printsNoCanary").succeeded().count()).isEqualTo(1);
  }

  @Test
  void threadLeftRunningFailsTheTest() {
    String failure = failureOf(run(ThreadFixture.class, "leavesAThreadRunning"));
    assertThat(failure).contains("left threads running after 300 ms: [leaktest-worker-1 (daemon)]");
  }

  @Test
  void stoppedOrExemptThreadsPass() {
    assertThat(run(ThreadFixture.class, "stopsItsThread").succeeded().count()).isEqualTo(1);
    assertThat(run(ThreadFixture.class, "leavesOnlyAnExemptThread").succeeded().count())
        .isEqualTo(1);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void fileLeftOpenFailsTheTestOnLinux() {
    String failure = failureOf(run(FileFixture.class, "leavesAFileOpen"));
    assertThat(failure).contains("left files open after 300 ms").contains("password");
    assertThat(run(FileFixture.class, "closesItsFile").succeeded().count()).isEqualTo(1);
  }

  @Test
  void systemPropertiesComeBackAfterTheTest() {
    System.clearProperty("secretsdk.fixture.set");
    System.setProperty("secretsdk.fixture.cleared", "before");
    try {
      assertThat(run(PropertiesFixture.class, "setsProperties").succeeded().count()).isEqualTo(1);
      assertThat(System.getProperty("secretsdk.fixture.set")).isNull();
      assertThat(System.getProperty("secretsdk.fixture.cleared")).isEqualTo("before");
    } finally {
      System.clearProperty("secretsdk.fixture.cleared");
    }
  }

  @Test
  void canariesAreFreshAndDistinctive() {
    Canaries canaries = new Canaries(null);
    String a = canaries.next("password");
    String b = canaries.next("password");
    assertThat(a).matches("canary-password-[0-9a-f]{32}").isNotEqualTo(b);
    assertThat(canaries.nextRandomBytes(16)).hasSize(16);
    assertThat(canaries.issued()).hasSize(3).startsWith(a, b);
    assertThat(
            Arrays.asList(
                java.util.Base64.getEncoder().encodeToString(a.getBytes()), a.substring(16, 32)))
        .allSatisfy(form -> assertThat(canaries.firstLeak("x " + form + " y")).isNotNull());
    assertThat(canaries.mask("user=app password=" + b))
        .isEqualTo("user=app password=<canary #2 password>");
  }
}
