package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.PlainDirectoryWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.VaultAgentWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of update reaches snapshot() and listeners, with events naming exactly what changed.
 */
class SecretStoreWatchTests {

  @TempDir Path tmp;
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  String canary;
  LogCapture logs;
  SecretStore store;
  final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void plantCanary(Canaries canaries, LogCapture logs) {
    canary = canaries.next("value");
    this.logs = logs;
  }

  @AfterEach
  void closeAndCheckLogs() {
    if (store != null) {
      store.close();
    }
  }

  static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
  }

  private SecretStore watch(SecretStoreBuilder builder) {
    store = builder.build();
    store.subscribe(listener);
    return store;
  }

  private void awaitEvent(int count, Set<String> added, Set<String> removed, Set<String> changed) {
    eventually().until(() -> listener.count() >= count);
    SecretChangeEvent event = listener.events().get(count - 1);
    assertThat(event.added()).isEqualTo(added);
    assertThat(event.removed()).isEqualTo(removed);
    assertThat(event.changed()).isEqualTo(changed);
    assertThat(event.current()).isSameAs(store.snapshot());
    assertThat(event.current().revision()).isEqualTo(event.previous().revision() + 1);
  }

  @Test
  void kubeletUpdatesOfEveryKindReachSnapshotAndListeners() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary,
            "my-group/my-username",
            "n1",
            ".secret-file",
            "d1"));
    watch(SecretStore.builder().mount(volume));
    assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.EVENTS);

    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary + "2",
            "my-group/my-username",
            "n1",
            ".secret-file",
            "d1"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("password"));

    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary + "2",
            "my-group/my-username",
            "n1",
            ".secret-file",
            "d1",
            "token",
            "t"));
    awaitEvent(2, Set.of("token"), Set.of(), Set.of());

    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary + "2",
            "my-group/my-username",
            "n1",
            ".secret-file",
            "d1"));
    awaitEvent(3, Set.of(), Set.of("token"), Set.of());

    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary + "2",
            "my-group/my-username",
            "n2",
            ".secret-file",
            "d1"));
    awaitEvent(4, Set.of(), Set.of(), Set.of("my-group.my-username"));
    assertThat(store.require("my-group.my-username").asString()).isEqualTo("n2");

    writer.writeStrings(
        Map.of(
            "username",
            "u1",
            "password",
            canary + "2",
            "my-group/my-username",
            "n2",
            ".secret-file",
            "d2"));
    awaitEvent(5, Set.of(), Set.of(), Set.of(".secret-file"));
    assertThat(store.require(".secret-file").asString()).isEqualTo("d2");
  }

  @Test
  void noOpUpdateWritesNothingAndPublishesNothing() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    watch(SecretStore.builder().mount(volume));
    assertThat(writer.writeStrings(Map.of("a", "1"))).isFalse();
    writer.writeStrings(Map.of("a", "2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
    assertThat(store.snapshot().revision()).isEqualTo(2);
  }

  @Test
  void wholeVolumeDeletedAndRecreatedIsPickedUp() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1", "b", "2"));
    watch(SecretStore.builder().mount(volume));

    writer.deleteVolume();
    eventually().until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.require("a").asString()).isEqualTo("1");
    assertThat(listener.count()).isZero();

    KubernetesVolumeWriter.kubelet(volume).writeStrings(Map.of("a", "10", "c", "3"));
    awaitEvent(1, Set.of("c"), Set.of("b"), Set.of("a"));
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.EVENTS);
  }

  @Test
  void csiDriverOrderUpdatesArrive() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.csiDriver(volume);
    writer.writeStrings(Map.of("a", "1"));
    watch(SecretStore.builder().mount(volume));
    writer.writeStrings(Map.of("a", "2", "nested/b", "3"));
    awaitEvent(1, Set.of("nested.b"), Set.of(), Set.of("a"));
    writer.writeStrings(Map.of("nested/b", "3"));
    awaitEvent(2, Set.of(), Set.of("a"), Set.of());
  }

  @Test
  void plainDirectoryUpdatesArriveAfterTheQuietPeriod() {
    Path dir = tmp.resolve("run-secrets");
    PlainDirectoryWriter writer = PlainDirectoryWriter.of(dir);
    writer.create("db_password", "p1");
    watch(SecretStore.builder().mount(dir).quietPeriod(Duration.ofMillis(20)));

    // These writes are not atomic (create, then write; truncate, then write), as a script's are.
    // On a loaded machine a write can stall longer than the quiet period, and the half-written
    // file is read and corrected by a later event: so each step waits for its final value and
    // checks the events it caused, however many there were.
    int before = listener.count();
    writer.create("api_token", "t1");
    awaitValue("api_token", "t1");
    assertEventsSince(before, Set.of("api_token"), Set.of(), Set.of("api_token"));
    before = listener.count();
    writer.overwriteInPlace("db_password", canary);
    awaitValue("db_password", canary);
    assertEventsSince(before, Set.of(), Set.of(), Set.of("db_password"));
    assertThat(listener.last().changed()).containsExactly("db_password");
    before = listener.count();
    writer.remove("api_token");
    eventually().until(() -> !store.snapshot().contains("api_token"));
    eventually().until(() -> listener.last().current() == store.snapshot());
    assertEventsSince(before, Set.of(), Set.of("api_token"), Set.of());
  }

  private void awaitValue(String name, String value) {
    eventually()
        .until(
            () ->
                store
                    .snapshot()
                    .get(name)
                    .map(s -> s.isText() && s.asString().equals(value))
                    .orElse(false));
    eventually().until(() -> listener.count() > 0 && listener.last().current() == store.snapshot());
  }

  /**
   * The events after the first {@code before}: exactly these names added and removed, changes only
   * among {@code changedAtMost}.
   */
  private void assertEventsSince(
      int before, Set<String> added, Set<String> removed, Set<String> changedAtMost) {
    List<SecretChangeEvent> events = listener.events().subList(before, listener.count());
    assertThat(events).isNotEmpty();
    assertThat(events.stream().flatMap(e -> e.added().stream()).collect(Collectors.toSet()))
        .isEqualTo(added);
    assertThat(events.stream().flatMap(e -> e.removed().stream()).collect(Collectors.toSet()))
        .isEqualTo(removed);
    assertThat(events.stream().flatMap(e -> e.changed().stream()).collect(Collectors.toSet()))
        .isSubsetOf(changedAtMost);
    assertThat(events.get(events.size() - 1).current()).isSameAs(store.snapshot());
  }

  @Test
  void vaultAgentRendersArriveAndTemporariesAreIgnored() {
    Path dir = tmp.resolve("vault");
    VaultAgentWriter writer = VaultAgentWriter.of(dir).backup(true);
    writer.render("token", "t1");
    watch(SecretStore.builder().mount(dir).quietPeriod(Duration.ofMillis(20)));

    writer.render("token", canary);
    awaitEvent(1, Set.of(), Set.of(), Set.of("token"));
    writer.leaveTemporary("partial".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    writer.render("token", "t3");
    awaitEvent(2, Set.of(), Set.of(), Set.of("token"));
    assertThat(store.snapshot().names()).containsExactly("token");
  }

  @Test
  void folderOfVolumesFollowsEachVolumeAndNewOnes() {
    Path root = tmp.resolve("config");
    KubernetesVolumeWriter db = KubernetesVolumeWriter.kubelet(root.resolve("db"));
    db.writeStrings(Map.of("password", "p1"));
    watch(SecretStore.builder().mount(root));

    db.writeStrings(Map.of("password", "p2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("db.password"));

    KubernetesVolumeWriter.kubelet(root.resolve("api")).writeStrings(Map.of("token", "t"));
    eventually().until(() -> store.snapshot().contains("api.token"));
    KubernetesVolumeWriter.kubelet(root.resolve("api")).writeStrings(Map.of("token", "t2"));
    eventually().until(() -> store.require("api.token").asString().equals("t2"));
  }

  @Test
  void optionalMountThatAppearsLaterIsPickedUp() {
    Path later = tmp.resolve("later/vol");
    watch(SecretStore.builder().optionalMount(later));
    assertThat(store.health().status()).isEqualTo(SecretStoreHealth.Status.DEGRADED);

    KubernetesVolumeWriter.kubelet(later).writeStrings(Map.of("a", "1"));
    awaitEvent(1, Set.of("a"), Set.of(), Set.of());
    eventually().until(() -> store.health().status() == SecretStoreHealth.Status.UP);

    KubernetesVolumeWriter.kubelet(later).writeStrings(Map.of("a", "2"));
    awaitEvent(2, Set.of(), Set.of(), Set.of("a"));
  }

  @Test
  void pollingAloneDeliversUpdatesWithinTheInterval() {
    Path volume = tmp.resolve("vol");
    Path plain = tmp.resolve("plain");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    PlainDirectoryWriter.of(plain).create("b", "1");
    watch(
        SecretStore.builder()
            .mount(volume)
            .mount(plain)
            .watch(false)
            .pollInterval(Duration.ofMillis(100)));
    assertThat(store.health().sources()).allMatch(s -> s.watchMode() == WatchMode.POLLING);

    writer.writeStrings(Map.of("a", "2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
    PlainDirectoryWriter.of(plain).overwriteInPlace("b", "22");
    awaitEvent(2, Set.of(), Set.of(), Set.of("b"));
    PlainDirectoryWriter.of(plain).create("c", "3");
    awaitEvent(3, Set.of("c"), Set.of(), Set.of());
  }

  @Test
  void exhaustedWatchLimitFallsBackToPollingAndSaysSo() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    WatchRegistry exhausted =
        new WatchRegistry(
            () -> {
              throw new IOException(
                  "User limit of inotify instances reached or too many open files");
            });
    store =
        LiveSecretStore.start(
            SecretStore.builder().mount(volume).pollInterval(Duration.ofMillis(100)), exhausted);
    store.subscribe(listener);
    assertThat(store.health().sources().get(0).watchMode()).isEqualTo(WatchMode.POLLING);
    assertThat(logs.text()).contains("falling back to polling");

    writer.writeStrings(Map.of("a", "2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
  }

  @Test
  void failingUpdateKeepsLastGoodAndRecoversOnTheNextOne() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    watch(SecretStore.builder().mount(volume).maxSecretBytes(16));

    writer.writeStrings(Map.of("a", canary + canary));
    eventually().until(() -> store.health().status() == SecretStoreHealth.Status.DEGRADED);
    assertThat(store.require("a").asString()).isEqualTo("1");
    assertThat(store.health().sources().get(0).consecutiveFailures()).isPositive();
    assertThat(store.health().lastError()).get().asString().contains("over the limit of 16 bytes");

    writer.writeStrings(Map.of("a", "3"));
    eventually().until(() -> store.health().status() == SecretStoreHealth.Status.UP);
    // UP vouches for what is published: the recovered value is already served.
    assertThat(store.require("a").asString()).isEqualTo("3");
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
    assertThat(store.health().sources().get(0).consecutiveFailures()).isZero();
    assertThat(store.health().failures()).isPositive();
  }

  @Test
  void throwingListenerIsLoggedAndOthersStillRun() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    store = SecretStore.builder().mount(volume).build();
    store.subscribe(
        event -> {
          throw new IllegalStateException("listener bug quoting " + canary);
        });
    store.subscribe(listener);

    writer.writeStrings(Map.of("a", "2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
    writer.writeStrings(Map.of("a", "3"));
    awaitEvent(2, Set.of(), Set.of(), Set.of("a"));
    eventually().until(() -> logs.text().contains("threw java.lang.IllegalStateException"));
  }

  @Test
  void slowListenerDoesNotHoldBackRefreshes() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    store = SecretStore.builder().mount(volume).build();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    store.subscribe(
        event -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    store.subscribe(listener);
    try {
      writer.writeStrings(Map.of("a", "2"));
      eventually().until(() -> entered.getCount() == 0);
      for (int i = 3; i <= 10; i++) {
        writer.writeStrings(Map.of("a", Integer.toString(i)));
        String expected = Integer.toString(i);
        eventually().until(() -> store.require("a").asString().equals(expected));
      }
      assertThat(listener.count()).isZero();
    } finally {
      release.countDown();
    }
    // Once released, every change is delivered, in order.
    eventually().until(() -> listener.count() == 9);
    assertThat(listener.events())
        .extracting(e -> e.current().get("a").orElseThrow().asString())
        .containsExactly("2", "3", "4", "5", "6", "7", "8", "9", "10");
  }

  @Test
  void closedSubscriptionStopsNotifications() {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "1"));
    store = SecretStore.builder().mount(volume).build();
    RecordingListener other = new RecordingListener();
    Subscription subscription = store.subscribe(other);
    store.subscribe(listener);
    writer.writeStrings(Map.of("a", "2"));
    awaitEvent(1, Set.of(), Set.of(), Set.of("a"));
    eventually().until(() -> other.count() == 1);
    subscription.close();
    subscription.close();
    writer.writeStrings(Map.of("a", "3"));
    awaitEvent(2, Set.of(), Set.of(), Set.of("a"));
    assertThat(other.count()).isEqualTo(1);
  }

  @Test
  void environmentFileIndirectionIsPolled() throws Exception {
    Path file = tmp.resolve("db_password");
    Files.writeString(file, "p1");
    store =
        SecretStore.builder()
            .environment()
            .environmentVariables(Map.of("DB_PASSWORD_FILE", file.toString()))
            .pollInterval(Duration.ofMillis(50))
            .build();
    store.subscribe(listener);
    VaultAgentWriter.of(tmp).render("db_password", "p2");
    awaitEvent(1, Set.of(), Set.of(), Set.of("DB_PASSWORD"));
  }

  @Test
  void eventsArriveInRevisionOrderWhenRefreshRacesTheWatcher() throws Exception {
    Path volume = tmp.resolve("vol");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("a", "0"));
    watch(SecretStore.builder().mount(volume));
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread refresher =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  store.refresh();
                } catch (SecretReadException e) {
                  // ..data moved five times during one read: the race this test provokes.
                }
              }
            },
            "test-refresher");
    refresher.start();
    try {
      for (int i = 1; i <= 200; i++) {
        writer.writeStrings(Map.of("a", Integer.toString(i)));
      }
      eventually().until(() -> store.require("a").asString().equals("200"));
    } finally {
      stop.set(true);
      refresher.join();
    }
    long last = store.snapshot().revision();
    eventually().until(() -> listener.count() == last - 1);
    List<SecretChangeEvent> events = listener.events();
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).previous().revision()).isEqualTo(i + 1);
      assertThat(events.get(i).current().revision()).isEqualTo(i + 2);
    }
  }
}
