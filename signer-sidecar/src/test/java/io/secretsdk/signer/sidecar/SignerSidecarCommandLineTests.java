package io.secretsdk.signer.sidecar;

import static io.secretsdk.signer.SignerTestSupport.assertNoLeak;
import static io.secretsdk.signer.SignerTestSupport.canary;
import static io.secretsdk.signer.SignerTestSupport.expectedKeyId;
import static io.secretsdk.signer.SignerTestSupport.expectedSignature;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.signer.Signer;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line: arguments, the loopback rule, exit codes and messages, and the plain {@code
 * java -cp ... SidecarCommand} command in a real child process. Only loopback sockets are ever
 * opened; non-loopback addresses are only parsed and checked.
 */
class SignerSidecarCommandLineTests {

  @TempDir Path tmp;
  final String key = canary();
  Path keys;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("io.secretsdk");

  LogCapture logs;

  @BeforeEach
  void setUp(LogCapture logs) {
    this.logs = logs;
    keys = tmp.resolve("keys");
    KubernetesVolumeWriter.kubelet(keys).writeStrings(Map.of("webhook", key));
  }

  @AfterEach
  void tearDown() {
    assertNoLeak(logs.text(), key);
  }

  @Test
  void argumentsAreReadInBothForms() {
    SignerSidecar.Builder b =
        SidecarCommand.parse(
            "--keys-dir",
            keys.toString(),
            "--listen=127.0.0.1:0",
            "--grace",
            "PT2H",
            "--max-old-keys=2",
            "--min-key-bytes",
            "32",
            "--max-body-bytes",
            "4096",
            "--max-batch=50",
            "--threads",
            "3");
    assertThat(b.keysDirectory).isEqualTo(keys);
    assertThat(b.listen).hasSize(1);
    assertThat(b.listen.get(0).tcpAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(b.listen.get(0).tcpAddress().getPort()).isZero();
    assertThat(b.grace).isEqualTo(Duration.ofHours(2));
    assertThat(b.maxOldKeys).isEqualTo(2);
    assertThat(b.minKeyBytes).isEqualTo(32);
    assertThat(b.maxBodyBytes).isEqualTo(4096);
    assertThat(b.maxBatch).isEqualTo(50);
    assertThat(b.threads).isEqualTo(3);
    SignerSidecar.Builder defaults = SidecarCommand.parse("--keys-dir", keys.toString());
    assertThat(defaults.build()).isNotNull();
    assertThat(defaults.listen)
        .extracting(ListenAddress::toString)
        .containsExactly("127.0.0.1:8787");
    assertThat(defaults.grace).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.maxBodyBytes).isEqualTo(1024 * 1024);

    assertThat(SidecarCommand.parseDuration("--grace", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(SidecarCommand.parseDuration("--grace", "30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(SidecarCommand.parseDuration("--grace", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(SidecarCommand.parseDuration("--grace", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(SidecarCommand.parseDuration("--grace", "1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(SidecarCommand.parseDuration("--grace", "0s")).isEqualTo(Duration.ZERO);
    assertThat(SidecarCommand.parseDuration("--grace", "P7D")).isEqualTo(Duration.ofDays(7));
    assertThat(SidecarCommand.parseDuration("--request-timeout", "5000"))
        .as("a bare number is milliseconds, as everywhere in secretsdk")
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(ListenAddress.parse("[::1]:9000").tcpAddress().getAddress().isLoopbackAddress())
        .isTrue();
    assertThat(ListenAddress.parse("localhost:0").tcpAddress().getAddress().isLoopbackAddress())
        .isTrue();
    assertThat(ListenAddress.parse("9000").tcpAddress().getPort()).isEqualTo(9000);
    assertThat(ListenAddress.parse("127.0.0.1").tcpAddress().getPort()).isEqualTo(8787);
    assertThat(ListenAddress.parse("unix:/run/signer/signer.sock").socketPath())
        .isEqualTo(Path.of("/run/signer/signer.sock"));
    SignerSidecar.Builder both =
        SidecarCommand.parse(
            "--keys-dir",
            keys.toString(),
            "--listen",
            "127.0.0.1:0",
            "--listen",
            "unix:/run/signer/signer.sock",
            "--socket-mode",
            "0600");
    assertThat(both.listen)
        .extracting(ListenAddress::toString)
        .containsExactly("127.0.0.1:0", "unix:/run/signer/signer.sock");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(both.socketMode))
        .isEqualTo("rw-------");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(defaults.socketMode))
        .isEqualTo("rw-rw----");
  }

  @Test
  void badArgumentsAreExplained() {
    String dir = keys.toString();
    assertThatThrownBy(() -> SidecarCommand.parse()).hasMessage("--keys-dir is required");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir"))
        .hasMessageContaining("Missing required parameter for option '--keys-dir'");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--port", "1"))
        .hasMessageContaining("Unknown options: '--port'");
    assertThatThrownBy(
            () -> SidecarCommand.parse("--keys-dir", dir, "--listen", "unix:relative.sock"))
        .hasMessageContaining("must be absolute");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--socket-mode", "rwx"))
        .hasMessageContaining("is not a file mode");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--request-timeout", "0s"))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--transport", "kqueue"))
        .hasMessageContaining("is not auto, nio or epoll");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--listen", "127.0.0.1:99999"))
        .hasMessageContaining("invalid port '99999'");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--listen", "::1:80"))
        .hasMessageContaining("in brackets");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--grace", "soon"))
        .hasMessageContaining("is not a duration");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--grace", "-PT1H"))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--threads", "many"))
        .hasMessageContaining("not a whole number");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--threads", "-1"))
        .hasMessageContaining("between 0 and 1024");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--max-body-bytes", "10"))
        .hasMessageContaining("between 1024");
    assertThatThrownBy(() -> SidecarCommand.parse("--keys-dir", dir, "--allow-non-loopback=yes"))
        .hasMessageContaining("--allow-non-loopback");
  }

  @Test
  void aNonLoopbackAddressIsRefusedWithoutTheFlag() throws Exception {
    String dir = keys.toString();
    // Literal addresses: parsed and checked, never bound, no traffic.
    for (String address : List.of("10.0.0.1:8787", "0.0.0.0:8787", "[::]:8787", "192.168.1.20:0")) {
      SignerSidecar.Builder b = SidecarCommand.parse("--keys-dir", dir, "--listen", address);
      assertThatThrownBy(b::build)
          .as(address)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("refusing to listen on")
          .hasMessageContaining("not a loopback address")
          .hasMessageContaining("--allow-non-loopback");
      // With the flag the configuration is accepted (this test does not start it).
      assertThat(
              SidecarCommand.parse("--keys-dir", dir, "--listen", address, "--allow-non-loopback")
                  .build())
          .isNotNull();
    }
    assertThatThrownBy(
            () ->
                SignerSidecar.builder()
                    .keysDirectory(keys)
                    .listen(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 8787))
                    .build())
        .hasMessageContaining("refusing to listen on 10.0.0.1:8787");

    Run run = launch("--keys-dir", dir, "--listen", "10.0.0.1:8787");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err)
        .startsWith("signer-sidecar: refusing to listen on 10.0.0.1:8787")
        .contains("Usage: signer-sidecar");
  }

  @Test
  void launchExitsNonZeroWithOneClearLine() throws Exception {
    Run run = launch("--listen", "127.0.0.1:0");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err).startsWith("signer-sidecar: --keys-dir is required\nUsage: signer-sidecar");

    run = launch("--keys-dir", tmp.resolve("missing").toString(), "--listen", "127.0.0.1:0");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.err)
        .isEqualTo(
            "signer-sidecar: cannot start: keys directory "
                + tmp.resolve("missing")
                + " does not exist\n");

    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    run = launch("--keys-dir", file.toString(), "--listen", "127.0.0.1:0");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("is not a directory");

    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      run = launch("--keys-dir", keys.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort());
      assertThat(run.code).isEqualTo(1);
      assertThat(run.err)
          .startsWith(
              "signer-sidecar: cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }

    run = launch("--help");
    assertThat(run.code).isZero();
    assertThat(run.out)
        .contains("--keys-dir=<dir>")
        .contains("--allow-non-loopback")
        .contains("--listen=<address>")
        .contains("--probe");
    assertThat(run.started).isNull();

    run = launch("--version");
    assertThat(run.code).isZero();
    assertThat(run.out).startsWith("secretsdk-signer-sidecar 0.").doesNotContain("unknown");

    run = launch("--keys-dir", keys.toString(), "--threads", "many");
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err)
        .startsWith("signer-sidecar: --threads: 'many' is not a whole number\nUsage:");
    assertThat(run.started).isNull();

    Run running = launch("--keys-dir", keys.toString(), "--listen", "127.0.0.1:0");
    try {
      assertThat(running.code).isZero();
      assertThat(running.started.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(running.started.keyIds())
          .containsEntry("webhook", expectedKeyId(key.getBytes(UTF_8)));
      Run probe = launch("--probe", running.started.uri().toString());
      assertThat(probe.code).isZero();
      assertThat(probe.out).startsWith("200 {\"status\":\"ok\"");
    } finally {
      running.started.close();
    }
    Run probe = launch("--probe", running.started.uri().toString());
    assertThat(probe.code).isEqualTo(1);
    assertThat(probe.err)
        .startsWith("signer-sidecar: --probe: no answer from " + running.started.uri());
    assertThat(launch("--probe", "ftp://x").code).isEqualTo(2);
    CompletableFuture<Void> waited =
        CompletableFuture.runAsync(
            () -> {
              try {
                running.started.awaitClose();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waited.get(5, TimeUnit.SECONDS);
  }

  @Test
  void thePlainJavaCommandWorks() throws Exception {
    Process p =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.secretsdk.signer.sidecar.SidecarCommand",
                "--keys-dir",
                keys.toString(),
                "--listen",
                "127.0.0.1:0")
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    try {
      BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
      Pattern listening =
          Pattern.compile("signer sidecar listening on (http://127\\.0\\.0\\.1:\\d+) ");
      CompletableFuture<URI> uri =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  String line;
                  while ((line = reader.readLine()) != null) {
                    output.add(line);
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                      return URI.create(m.group(1));
                    }
                  }
                  throw new IllegalStateException("the sidecar exited: " + output);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      URI base = uri.get(60, TimeUnit.SECONDS);
      assertThat(String.join("\n", output))
          .contains("webhook (key id " + expectedKeyId(key.getBytes(UTF_8)) + ")");
      try (Signer client = Signer.sidecar(base)) {
        assertThat(client.sign("webhook", "m".getBytes(UTF_8)))
            .isEqualTo(expectedSignature(key, "m"));
      }
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertNoLeak(String.join("\n", output), key);
    }

    Process bad =
        new ProcessBuilder(
                javaBinary(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.secretsdk.signer.sidecar.SidecarCommand",
                "--keys-dir",
                tmp.resolve("nowhere").toString())
            .redirectErrorStream(true)
            .start();
    String text = new String(bad.getInputStream().readAllBytes(), UTF_8);
    assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(1);
    assertThat(text)
        .contains(
            "signer-sidecar: cannot start: keys directory "
                + tmp.resolve("nowhere")
                + " does not exist");
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static final class Run {
    int code;
    String out;
    String err;
    SignerSidecar started;
  }

  private static Run launch(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    SignerSidecar[] started = new SignerSidecar[1];
    Run run = new Run();
    run.code =
        SidecarCommand.launch(
            args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), started);
    run.out = out.toString(UTF_8);
    run.err = err.toString(UTF_8);
    run.started = started[0];
    return run;
  }
}
