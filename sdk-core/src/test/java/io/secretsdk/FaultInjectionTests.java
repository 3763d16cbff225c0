package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults injected into real directories while a watching store serves readers and a listener. For
 * every fault: each call returns in bounded time; a fault that makes the source unreadable keeps
 * the last good snapshot and health names the reason; a fault that is a legitimate change (a key's
 * file replaced by something that is not a file) is published as one consistent change; the store
 * recovers when the fault clears; the watch thread keeps delivering afterwards.
 */
@EnabledOnOs(OS.LINUX)
class FaultInjectionTests {

  static final Duration BOUND = Duration.ofSeconds(60);
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  String canary;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;

  @BeforeEach
  void captureLogs(Canaries canaries, LogCapture logs) {
    this.logs = logs;
    canary = canaries.next("value");
  }

  /** A fault: how to inject it into a plain directory or volume, what it does, how to clear it. */
  enum Fault {
    DATA_TO_MISSING_DIRECTORY(
        true, "..data points to ..2001_01_01_00_00_00.1, which does not exist") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Path staged = mount.resolve("vol/..data_tmp");
        Files.createSymbolicLink(staged, Path.of("..2001_01_01_00_00_00.1"));
        Files.move(
            staged,
            mount.resolve("vol/..data"),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }

      @Override
      void clear(Path mount) throws Exception {
        KubernetesVolumeWriter.kubelet(mount.resolve("vol"))
            .writeStrings(Map.of("key", "v2", "canary", "c"));
        rewritePlainKey(mount);
      }
    },
    LINK_LOOP(true, "a loop") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Files.createSymbolicLink(mount.resolve("loop1"), Path.of("."));
        Files.createSymbolicLink(mount.resolve("loop2"), Path.of("."));
      }

      @Override
      void clear(Path mount) throws Exception {
        Files.delete(mount.resolve("loop1"));
        Files.delete(mount.resolve("loop2"));
        rewritePlainKey(mount);
      }
    },
    LINK_TO_FILE_SYSTEM_ROOT(true, "resolves outside the mount") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Files.createSymbolicLink(mount.resolve("root"), Path.of("/"));
      }

      @Override
      void clear(Path mount) throws Exception {
        Files.delete(mount.resolve("root"));
        rewritePlainKey(mount);
      }
    },
    DANGLING_LINK(true, "which does not exist") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Files.createSymbolicLink(mount.resolve("dangling"), Path.of("gone"));
      }

      @Override
      void clear(Path mount) throws Exception {
        Files.delete(mount.resolve("dangling"));
        rewritePlainKey(mount);
      }
    },
    OVERSIZE_FILE(true, "over the limit") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Files.write(mount.resolve("huge"), new byte[2 * 1024 * 1024]);
      }

      @Override
      void clear(Path mount) throws Exception {
        Files.delete(mount.resolve("huge"));
        rewritePlainKey(mount);
      }
    },
    VOLUME_DELETED(true, "does not exist") {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        deleteTree(mount);
      }

      @Override
      void clear(Path mount) throws Exception {
        Files.createDirectories(mount);
        Files.writeString(mount.resolve("plain-key"), "p1");
        KubernetesVolumeWriter.kubelet(mount.resolve("vol"))
            .writeStrings(Map.of("key", "v1", "canary", "c"));
      }
    },
    KEY_REPLACED_BY_FIFO(false, null) {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Path fifo = Fifos.mkfifo(tmp.resolve("fifo"));
        Files.move(
            fifo,
            mount.resolve("plain-key"),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    },
    KEY_REPLACED_BY_SOCKET(false, null) {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Path socket = tmp.resolve("sock");
        try (ServerSocketChannel server =
            ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
          server.bind(UnixDomainSocketAddress.of(socket));
          Files.move(
              socket,
              mount.resolve("plain-key"),
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
    },
    KEY_REPLACED_BY_DIRECTORY(false, null) {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        Files.writeString(dir.resolve("inner"), "i");
        Files.delete(mount.resolve("plain-key"));
        Files.move(dir, mount.resolve("plain-key"), StandardCopyOption.ATOMIC_MOVE);
      }

      @Override
      void clear(Path mount) throws Exception {
        deleteTree(mount.resolve("plain-key"));
        Files.writeString(mount.resolve("plain-key"), "p2");
      }
    },
    KEY_TRUNCATED(false, null) {
      @Override
      void inject(Path mount, Path tmp) throws Exception {
        Files.write(mount.resolve("plain-key"), new byte[0]);
      }
    };

    final boolean fails;
    final String reason;

    Fault(boolean fails, String reason) {
      this.fails = fails;
      this.reason = reason;
    }

    abstract void inject(Path mount, Path tmp) throws Exception;

    /** Undoes the fault and writes new values, so recovery is visible. */
    void clear(Path mount) throws Exception {
      rewritePlainKey(mount);
    }

    static void rewritePlainKey(Path mount) throws IOException {
      Path plain = mount.resolve("plain-key");
      Files.deleteIfExists(plain);
      Files.writeString(plain, "p2");
    }
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void faultNeverHangsKeepsOrPublishesConsistentlyAndRecovers(Fault fault) throws Exception {
    Path mount = tmp.resolve("mount");
    Files.createDirectories(mount);
    Files.writeString(mount.resolve("plain-key"), "p1");
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(mount.resolve("vol"));
    volume.writeStrings(Map.of("key", "v1", "canary", canary));
    Path spare = Files.createDirectories(tmp.resolve("spare"));

    SecretStore store =
        SecretStore.builder()
            .mount(mount)
            .pollInterval(Duration.ofMillis(200))
            .quietPeriod(Duration.ofMillis(50))
            .build();
    List<SecretChangeEvent> events = new CopyOnWriteArrayList<>();
    store.subscribe(events::add);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    List<Throwable> readerProblems = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  SecretSnapshot s = store.snapshot();
                  if (s.contains("vol.key") != s.contains("vol.canary")) {
                    throw new AssertionError("a snapshot mixes generations: " + s.names());
                  }
                  reads.incrementAndGet();
                } catch (Throwable t) {
                  readerProblems.add(t);
                  return;
                }
              }
            },
            "test-reader");
    reader.start();
    try {
      assertThat(store.require("vol.key").asString()).isEqualTo("v1");
      long revision = store.snapshot().revision();

      fault.inject(mount, spare);
      if (fault.fails) {
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(store.health().lastError())
                        .hasValueSatisfying(m -> assertThat(m).contains(fault.reason)));
        assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);
        // A deletion is progressive: what was read before the failure may have been published.
        long failedAt = store.snapshot().revision();
        assertTimeoutPreemptively(
            BOUND,
            () -> {
              try {
                store.refresh();
              } catch (SecretReadException expected) {
                assertThat(expected.getMessage()).contains(fault.reason).doesNotContain(canary);
              }
            });
        assertThat(store.snapshot().revision()).isEqualTo(failedAt);
        if (fault != Fault.VOLUME_DELETED) {
          // (A volume directory deleted before the mount root is a real removal of its keys.)
          assertThat(store.require("vol.key").asString()).isEqualTo("v1");
        }
      } else {
        await().atMost(WAIT).until(() -> store.snapshot().revision() > revision);
        assertTimeoutPreemptively(BOUND, () -> store.refresh());
        assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
      }

      fault.clear(mount);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
                assertThat(store.get("plain-key").map(Secret::asString))
                    .hasValue(fault == Fault.VOLUME_DELETED ? "p1" : "p2");
              });

      // The watch thread still delivers: a rotation arrives by itself.
      KubernetesVolumeWriter.kubelet(mount.resolve("vol"))
          .writeStrings(Map.of("key", "v3", "canary", canary));
      await()
          .atMost(WAIT)
          .until(() -> store.get("vol.key").map(Secret::asString).orElse("").equals("v3"));
      assertThat(events).isNotEmpty();
    } finally {
      stop.set(true);
      reader.join(BOUND.toMillis());
      assertTimeoutPreemptively(BOUND, store::close);
    }
    assertThat(readerProblems).isEmpty();
    assertThat(reads.get()).isPositive();
  }

  @Test
  void aThousandSwapsInASecondNeverMixGenerations() throws Exception {
    Path volumePath = tmp.resolve("vol");
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(volumePath);
    volume.writeStrings(Map.of("a", "0", "b", "0"));
    List<String> mixed = new CopyOnWriteArrayList<>();
    try (SecretStore store = SecretStore.builder().mount(volumePath).build()) {
      store.subscribe(
          e -> {
            SecretSnapshot s = e.current();
            if (!s.find("a").asString().equals(s.find("b").asString())) {
              mixed.add(s.find("a").asString() + "/" + s.find("b").asString());
            }
          });
      int swaps = 0;
      long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (swaps < 1000 && System.nanoTime() < end + Duration.ofSeconds(9).toNanos()) {
        swaps++;
        volume.writeStrings(Map.of("a", Integer.toString(swaps), "b", Integer.toString(swaps)));
        SecretSnapshot s = store.snapshot();
        if (!s.find("a").asString().equals(s.find("b").asString())) {
          mixed.add("reader");
        }
      }
      String last = Integer.toString(swaps);
      await().atMost(WAIT).until(() -> store.require("a").asString().equals(last));
      assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    }
    assertThat(mixed).isEmpty();
  }

  @Test
  void watchServiceClosedUnderTheStoreFallsBackAndKeepsReading() throws Exception {
    List<java.nio.file.WatchService> opened = new ArrayList<>();
    WatchRegistry registry =
        new WatchRegistry(
            () -> {
              java.nio.file.WatchService ws =
                  java.nio.file.FileSystems.getDefault().newWatchService();
              opened.add(ws);
              return ws;
            });
    Path volumePath = tmp.resolve("vol");
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(volumePath);
    volume.writeStrings(Map.of("a", "1"));
    SecretStore store =
        LiveSecretStore.start(
            SecretStore.builder().mount(volumePath).pollInterval(Duration.ofMillis(200)), registry);
    try {
      assertThat(opened).hasSize(1);
      opened.get(0).close();
      volume.writeStrings(Map.of("a", "2"));
      await().atMost(WAIT).until(() -> store.require("a").asString().equals("2"));
      volume.writeStrings(Map.of("a", "3"));
      await().atMost(WAIT).until(() -> store.require("a").asString().equals("3"));
    } finally {
      assertTimeoutPreemptively(BOUND, store::close);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
