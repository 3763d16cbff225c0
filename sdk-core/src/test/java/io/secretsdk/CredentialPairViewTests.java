package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A username and password from one generation, never mixed, and listeners only for the pair. */
class CredentialPairViewTests {

  @TempDir Path tmp;
  String canary;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;
  SecretStore store;
  CredentialPairView pair;

  @BeforeEach
  void captureLogs(Canaries canaries, LogCapture logs) {
    this.logs = logs;
    canary = canaries.next("value");
  }

  @AfterEach
  void closeAndCheckLogs() {
    if (pair != null) {
      pair.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aPairReadUnderAThousandRotationsWithConcurrentReadersIsNeverMixed() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    writer.writeStrings(Map.of("username", "user-0", "password", canary + "-0", "other", "x"));
    store = SecretStore.builder().mount(writer.volume()).build();
    pair = CredentialPairView.of(store);
    List<String> mixed = new CopyOnWriteArrayList<>();
    List<String> listenerMixed = new CopyOnWriteArrayList<>();
    AtomicLong told = new AtomicLong();
    pair.subscribe(
        (previous, current) -> {
          told.incrementAndGet();
          if (!suffix(current.username()).equals(suffix(current.password()))
              || (previous != null
                  && !suffix(previous.username()).equals(suffix(previous.password())))) {
            listenerMixed.add("mixed");
          }
        });
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      Thread reader =
          new Thread(
              () -> {
                while (running.get()) {
                  CredentialPair current = pair.current();
                  if (!suffix(current.username()).equals(suffix(current.password()))) {
                    mixed.add(suffix(current.username()));
                  }
                  reads.incrementAndGet();
                  // Reads back to back, but the writer and the store's threads get a CPU when they
                  // need one: three readers that never yield hold both CPUs of a small machine.
                  Thread.yield();
                }
              },
              "pair-reader-" + r);
      reader.setDaemon(true);
      reader.start();
      readers.add(reader);
    }

    for (int i = 1; i <= 1000; i++) {
      writer.writeStrings(
          Map.of("username", "user-" + i, "password", canary + "-" + i, "other", "x"));
      if (i % 100 == 0) {
        int expected = i;
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> pair.current().username().equals("user-" + expected));
      }
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> pair.current().username().equals("user-1000"));
    running.set(false);
    for (Thread reader : readers) {
      reader.join(20_000);
    }

    assertThat(reads.get()).isGreaterThan(1000);
    assertThat(mixed).isEmpty();
    assertThat(listenerMixed).isEmpty();
    assertThat(told.get()).isPositive();
    assertThat(pair.current().password()).isEqualTo(canary + "-1000");
    assertThat(pair.current().toString()).doesNotContain(canary).doesNotContain("user-1000");
    assertThat(pair.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
  }

  private static String suffix(String value) {
    return value.substring(value.lastIndexOf('-') + 1);
  }

  @Test
  void listenersHearOfThePairOnlyWhenItChangedWithOldAndNewValues() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    writer.writeStrings(Map.of("db.user", "alice", "db.pass", canary + "-1", "api-token", "t1"));
    store = SecretStore.builder().mount(writer.volume()).build();
    pair = CredentialPairView.of(store, "db.user", "db.pass");
    List<String> told = new CopyOnWriteArrayList<>();
    RecordingListener storeEvents = new RecordingListener();
    pair.subscribe(
        (previous, current) -> told.add(previous.username() + "->" + current.username()));
    store.subscribe(storeEvents);

    // An unrelated key rotates: the store tells its listeners, the pair's listeners hear nothing.
    writer.writeStrings(Map.of("db.user", "alice", "db.pass", canary + "-1", "api-token", "t2"));
    await().atMost(Duration.ofSeconds(20)).until(() -> storeEvents.count() == 1);
    writer.writeStrings(Map.of("db.user", "bob", "db.pass", canary + "-2", "api-token", "t2"));
    await().atMost(Duration.ofSeconds(20)).until(() -> storeEvents.count() == 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> told.size() == 1);
    writer.writeStrings(Map.of("db.user", "bob", "db.pass", canary + "-2", "api-token", "t3"));
    await().atMost(Duration.ofSeconds(20)).until(() -> storeEvents.count() == 3);

    assertThat(told).containsExactly("alice->bob");
    assertThat(pair.parses()).isEqualTo(2);
  }

  @Test
  void aGenerationMissingThePasswordKeepsTheLastGoodPairAndSaysWhichNameIsMissing() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    writer.writeStrings(Map.of("username", "alice", "password", canary));
    store = SecretStore.builder().mount(writer.volume()).build();
    pair = CredentialPairView.of(store);
    assertThat(pair.current().username()).isEqualTo("alice");

    writer.writeStrings(Map.of("username", "bob"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> pair.health().status() == SecretStoreHealth.Status.DEGRADED);

    assertThat(pair.health().lastError())
        .hasValueSatisfying(error -> assertThat(error).contains("password is missing"));
    assertThat(pair.current().username()).isEqualTo("alice");
    assertThat(pair.current().password()).isEqualTo(canary);

    writer.writeStrings(Map.of("username", "bob", "password", canary + "-2"));
    await().atMost(Duration.ofSeconds(20)).until(() -> pair.current().username().equals("bob"));
    assertThat(pair.current().password()).isEqualTo(canary + "-2");
    assertThat(pair.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(pair.health().toString()).doesNotContain(canary);
  }

  @Test
  void aStoreWithoutThePairSaysSoInsteadOfReturningHalfOfIt() {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    writer.writeStrings(Map.of("password", canary));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    pair = CredentialPairView.of(store);

    assertThatThrownBy(pair::current)
        .isInstanceOf(SecretException.class)
        .hasMessageContaining("username is missing")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(canary));
    assertThat(pair.health().status()).isEqualTo(SecretStoreHealth.Status.DOWN);
  }
}
