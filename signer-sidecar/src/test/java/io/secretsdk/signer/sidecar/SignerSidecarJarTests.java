package io.secretsdk.signer.sidecar;

import static io.secretsdk.signer.SignerTestSupport.assertNoLeak;
import static io.secretsdk.signer.SignerTestSupport.canary;
import static io.secretsdk.signer.SignerTestSupport.expectedKeyId;
import static io.secretsdk.signer.SignerTestSupport.expectedSignature;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.signer.Signer;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built runnable jar, started as a child process exactly as documented: {@code java -jar
 * secretsdk-signer-sidecar-<version>-all.jar ...} and the container recipe's ENTRYPOINT and CMD
 * (read from the Dockerfile, with only the jar's and the volumes' paths mapped to this machine),
 * serving TCP loopback and a Unix socket at once; and the two artifacts: the runnable jar attached
 * with the classifier {@code all}, and a thin main jar that holds no dependency's classes. Runs in
 * the integration-test phase, after the jars are built.
 */
class SignerSidecarJarTests {

  @TempDir Path tmp;
  final String keyA = canary();
  final String keyB = canary();
  final List<Process> processes = new ArrayList<>();
  final List<String> output = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertNoLeak(String.join("\n", output), keyA, keyB);
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("sidecar.jar", "target/missing.jar"));
    assertThat(jar).as("the runnable jar is built in the package phase").isRegularFile();
    assertThat(jar.getFileName().toString()).endsWith("-all.jar");
    return jar;
  }

  static List<String> entries(Path jar) throws Exception {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName).toList();
    }
  }

  @Test
  void theRunnableJarIsAttachedBesideAThinMainJar() throws Exception {
    Path thin = Path.of(System.getProperty("sidecar.thinJar", "target/missing.jar"));
    assertThat(thin).as("the main artifact is built in the package phase").isRegularFile();
    // The main artifact: the sidecar's own classes only, so a module depending on it resolves
    // Netty and picocli as ordinary dependencies (one version, mediated by Maven).
    List<String> thinEntries = entries(thin);
    assertThat(thinEntries).contains("io/secretsdk/signer/sidecar/SidecarCommand.class");
    assertThat(thinEntries)
        .filteredOn(name -> name.endsWith(".class"))
        .allMatch(name -> name.startsWith("io/secretsdk/signer/sidecar/"));
    // The attached runnable jar: everything inside, and a Main-Class.
    List<String> allEntries = entries(jar());
    assertThat(allEntries)
        .contains(
            "io/secretsdk/signer/sidecar/SidecarCommand.class",
            "io/secretsdk/signer/Signer.class",
            "io/secretsdk/SecretStore.class",
            "picocli/CommandLine.class",
            "io/netty/channel/Channel.class");
    try (JarFile file = new JarFile(jar().toFile())) {
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.secretsdk.signer.sidecar.SidecarCommand");
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts a command and returns the URIs of the "listening on" line. */
  List<URI> start(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(p);
    BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
    Pattern listening = Pattern.compile("signer sidecar listening on (.+?) with keys from");
    CompletableFuture<List<URI>> uris = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = reader.readLine()) != null) {
                  output.add(line);
                  Matcher m = listening.matcher(line);
                  if (m.find()) {
                    List<URI> found = new ArrayList<>();
                    for (String u : m.group(1).split(" and ")) {
                      found.add(URI.create(u));
                    }
                    uris.complete(found);
                  }
                }
                uris.completeExceptionally(
                    new IllegalStateException("the sidecar exited: " + output));
              } catch (java.io.IOException e) {
                uris.completeExceptionally(e);
              }
            },
            "sidecar-output");
    t.setDaemon(true);
    t.start();
    return uris.get(60, TimeUnit.SECONDS);
  }

  @Test
  void theJarServesTcpAndAUnixSocketAndARestartKeepsTheKeySet() throws Exception {
    Path keys = tmp.resolve("keys");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(keys);
    writer.writeStrings(Map.of("webhook", keyA));
    Path socket = tmp.resolve("run").resolve("signer.sock");
    Files.createDirectories(socket.getParent());
    List<String> command =
        List.of(
            java(),
            "-jar",
            jar().toString(),
            "--keys-dir",
            keys.toString(),
            "--listen",
            "127.0.0.1:0",
            "--listen",
            "unix:" + socket);
    List<URI> uris = start(command);
    assertThat(uris).hasSize(2);
    assertThat(uris.get(0).toString()).startsWith("http://127.0.0.1:");
    assertThat(uris.get(1)).isEqualTo(URI.create("unix:" + socket));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-rw----");
    byte[] msg = "order-1".getBytes(UTF_8);
    String before;
    try (Signer tcp = Signer.sidecar(uris.get(0));
        Signer unix = Signer.sidecar(uris.get(1))) {
      before = tcp.sign("webhook", msg);
      assertThat(before).isEqualTo(expectedSignature(keyA, "order-1"));
      assertThat(unix.sign("webhook", msg)).isEqualTo(before);
      assertThat(unix.verify("webhook", msg, before)).isTrue();
    }

    // Rotate with overlap while it is down, then restart: the key set holds the previous key.
    Process first = processes.get(0);
    first.destroy();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(socket).as("the socket file is removed on stop").doesNotExist();
    writer.writeStrings(Map.of("webhook", keyB, "webhook.previous", keyA));
    uris = start(command);
    assertThat(String.join("\n", output))
        .contains(
            "webhook (key id "
                + expectedKeyId(keyB.getBytes(UTF_8))
                + ", verifies also ["
                + expectedKeyId(keyA.getBytes(UTF_8))
                + "])");
    try (Signer unix = Signer.sidecar(uris.get(1))) {
      assertThat(unix.verify("webhook", msg, before))
          .as("a signature made before the rotation, after a restart")
          .isTrue();
      assertThat(unix.sign("webhook", msg)).isEqualTo(expectedSignature(keyB, "order-1"));
    }
  }

  @Test
  void theContainerEntryPointStartsTheJar() throws Exception {
    String dockerfile =
        Files.readString(Path.of(System.getProperty("sidecar.dockerfile", "Dockerfile")));
    List<String> entrypoint = jsonArray(dockerfile, "ENTRYPOINT");
    List<String> cmd = jsonArray(dockerfile, "CMD");
    assertThat(entrypoint).contains("-jar", "/opt/signer/secretsdk-signer-sidecar.jar");
    Path keys = tmp.resolve("etc-signer-keys");
    KubernetesVolumeWriter.kubelet(keys).writeStrings(Map.of("webhook", keyA));
    Path run = Files.createDirectories(tmp.resolve("run-signer"));
    List<String> command = new ArrayList<>();
    for (String s : entrypoint) {
      command.add(
          s.equals("java")
              ? java()
              : s.equals("/opt/signer/secretsdk-signer-sidecar.jar") ? jar().toString() : s);
    }
    for (String s : cmd) {
      // Only the paths and the fixed port are mapped; every option is the recipe's own.
      command.add(
          s.replace("/etc/signer/keys", keys.toString())
              .replace("unix:/run/signer/", "unix:" + run + "/")
              .replace("127.0.0.1:8787", "127.0.0.1:0"));
    }
    List<URI> uris = start(command);
    assertThat(uris).hasSize(2);
    for (URI u : uris) {
      try (Signer client = Signer.sidecar(u)) {
        assertThat(client.sign("webhook", "m".getBytes(UTF_8)))
            .isEqualTo(expectedSignature(keyA, "m"));
      }
    }
    // The probe command the pod manifest uses, against the socket.
    Process probe =
        new ProcessBuilder(java(), "-jar", jar().toString(), "--probe", uris.get(1).toString())
            .redirectErrorStream(true)
            .start();
    String answer = new String(probe.getInputStream().readAllBytes(), UTF_8);
    assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.exitValue()).as(answer).isZero();
    assertThat(answer).startsWith("200 {\"status\":\"ok\"");
  }

  /** The JSON array after an instruction, like {@code ENTRYPOINT ["java", "-jar", "x.jar"]}. */
  static List<String> jsonArray(String dockerfile, String instruction) {
    Matcher m = Pattern.compile("(?m)^" + instruction + "\\s+\\[(.*)\\]\\s*$").matcher(dockerfile);
    assertThat(m.find()).as(instruction + " in exec form").isTrue();
    List<String> out = new ArrayList<>();
    Matcher item = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
    while (item.find()) {
      out.add(item.group(1));
    }
    return out;
  }
}
