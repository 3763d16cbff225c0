package io.secretsdk.signer;

import static io.secretsdk.signer.SignerTestSupport.assertNoLeak;
import static io.secretsdk.signer.SignerTestSupport.canary;
import static io.secretsdk.signer.SignerTestSupport.expectedKeyId;
import static io.secretsdk.signer.SignerTestSupport.expectedSignature;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.SignerTestSupport.MutableClock;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The in-process signer: format, algorithms, verification and rotation with grace. */
class LocalSignerTests {

  @TempDir Path tmp;
  final String keyA = canary();
  final String keyB = canary();
  final String keyC = canary();
  final List<String> thrown = new ArrayList<>();

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("io.secretsdk");

  LogCapture logs;
  KubernetesVolumeWriter writer;
  Path keys;

  @BeforeEach
  void setUp(LogCapture logs) {
    this.logs = logs;
    keys = tmp.resolve("keys");
    writer = KubernetesVolumeWriter.kubelet(keys);
  }

  @AfterEach
  void noKeyBytesLeaked() {
    assertNoLeak(logs.text(), keyA, keyB, keyC);
    assertNoLeak(String.join("\n", thrown), keyA, keyB, keyC);
  }

  private Throwable remember(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      thrown.add(c.toString());
    }
    return t;
  }

  @Test
  void signaturesAreVersionedKeyIdAndPlainHmac() throws Exception {
    writer.writeStrings(Map.of("webhook", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer = Signer.local(store)) {
      String sig = signer.sign("webhook", "hello".getBytes(UTF_8));
      assertThat(sig).isEqualTo(expectedSignature(keyA, "hello"));
      assertThat(sig).matches("v1:[A-Za-z0-9_-]{12}:[A-Za-z0-9_-]{43}");
      assertThat(sig.split(":")[1]).isEqualTo(expectedKeyId(keyA.getBytes(UTF_8)));
      // Deterministic, and independent of the signer instance.
      try (Signer other = Signer.local(store)) {
        assertThat(other.sign("webhook", "hello".getBytes(UTF_8))).isEqualTo(sig);
      }
      assertThat(signer.verify("webhook", "hello".getBytes(UTF_8), sig)).isTrue();
      assertThat(signer.verify("webhook", "hellO".getBytes(UTF_8), sig)).isFalse();
      assertThat(signer.sign("webhook", new byte[0])).isEqualTo(expectedSignature(keyA, ""));
    }
  }

  @Test
  void keyIdIsAKeyedFunctionNotAHashPrefix() throws Exception {
    byte[] key = keyA.getBytes(UTF_8);
    String id = expectedKeyId(key);
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    String plainHashPrefix =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(java.util.Arrays.copyOf(sha.digest(key), 9));
    assertThat(new KeyVersion(key).id()).isEqualTo(id).isNotEqualTo(plainHashPrefix).hasSize(12);
    assertThat(new KeyVersion(keyB.getBytes(UTF_8)).id()).isNotEqualTo(id);
  }

  @Test
  void sha384AndSha512AreSelectablePerRequestAndVerifyByLength() throws Exception {
    writer.writeStrings(Map.of("k", keyA));
    byte[] msg = "payload".getBytes(UTF_8);
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer = Signer.local(store)) {
      String s384 = signer.sign("k", msg, HmacAlgorithm.SHA384);
      String s512 = signer.sign("k", msg, HmacAlgorithm.SHA512);
      assertThat(s384).isEqualTo(expectedSignature(keyA.getBytes(UTF_8), msg, "HmacSHA384"));
      assertThat(s512).isEqualTo(expectedSignature(keyA.getBytes(UTF_8), msg, "HmacSHA512"));
      assertThat(s384.split(":")[2]).hasSize(64);
      assertThat(s512.split(":")[2]).hasSize(86);
      assertThat(signer.verify("k", msg, s384)).isTrue();
      assertThat(signer.verify("k", msg, s512)).isTrue();
      assertThat(signer.signBatch("k", List.of(msg, msg), HmacAlgorithm.SHA512))
          .containsExactly(s512, s512);
    }
    assertThat(HmacAlgorithm.parse("sha2-384")).isEqualTo(HmacAlgorithm.SHA384);
    assertThat(HmacAlgorithm.parse("HmacSHA512")).isEqualTo(HmacAlgorithm.SHA512);
    assertThatThrownBy(() -> HmacAlgorithm.parse("md5")).hasMessageContaining("sha2-256");
  }

  @Test
  void malformedOrForeignSignaturesAreSimplyInvalid() throws Exception {
    writer.writeStrings(Map.of("k", keyA, "other", keyB));
    byte[] msg = "m".getBytes(UTF_8);
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer = Signer.local(store)) {
      String good = signer.sign("k", msg);
      String[] parts = good.split(":");
      char last = parts[2].charAt(42);
      List<String> bad =
          new ArrayList<>(
              List.of(
                  "",
                  "v1",
                  "v1::",
                  "v2:" + parts[1] + ":" + parts[2],
                  "v1:" + parts[1] + ":" + parts[2] + "=",
                  "v1:" + parts[1] + ":" + parts[2].substring(0, 42),
                  "v1:" + parts[1] + ":" + parts[2] + "AA",
                  "v1:" + parts[1] + "x:" + parts[2],
                  "v1:" + parts[1] + ":" + parts[2].replace('_', '/').replace('-', '+') + "!",
                  // a non-canonical encoding of the same MAC (trailing bits set)
                  "v1:" + parts[1] + ":" + parts[2].substring(0, 42) + (char) (last + 1),
                  signer.sign("other", msg),
                  "v1:" + parts[1] + ":" + signer.sign("other", msg).split(":")[2],
                  "x".repeat(10_000)));
      bad.add(null);
      for (String s : bad) {
        assertThat(signer.verify("k", msg, s)).as(String.valueOf(s)).isFalse();
      }
      List<byte[]> msgs = new ArrayList<>();
      bad.forEach(b -> msgs.add(msg));
      assertThat(signer.verifyBatch("k", msgs, bad)).containsOnly(false);
      assertThat(signer.verifyBatch("k", List.of(msg, msg), List.of(good, "nope")))
          .containsExactly(true, false);
    }
  }

  @Test
  void unknownShortAndEmptyKeysAreRefusedWithoutBytes() {
    writer.writeStrings(Map.of("short", "0123456789", "empty", "", "ok", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer = Signer.local(store)) {
      byte[] msg = "m".getBytes(UTF_8);
      assertThat(
              remember(
                  org.assertj.core.api.Assertions.catchThrowable(() -> signer.sign("nope", msg))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("no signing key named 'nope'");
      assertThat(
              remember(
                  org.assertj.core.api.Assertions.catchThrowable(
                      () -> signer.verify("nope", msg, "v1:x:y"))))
          .isInstanceOf(SigningKeyNotFoundException.class);
      assertThat(
              remember(
                  org.assertj.core.api.Assertions.catchThrowable(() -> signer.sign("short", msg))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("shorter than the 16-byte minimum")
          .hasMessageNotContaining("0123456789");
      assertThat(
              remember(
                  org.assertj.core.api.Assertions.catchThrowable(() -> signer.sign("empty", msg))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("empty");
      assertThat(signer.verify("short", msg, "v1:abc:def")).isFalse();
      assertThat(signer.toString()).doesNotContain(keyA);
    }
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer lenient = Signer.localBuilder(store).minKeyBytes(4).build()) {
      assertThat(lenient.sign("short", "m".getBytes(UTF_8))).startsWith("v1:");
    }
  }

  @Test
  void rotationSignsWithTheNewKeyAtOnceAndOldSignaturesVerifyOnlyWithinGrace() throws Exception {
    MutableClock clock = new MutableClock();
    writer.writeStrings(Map.of("k", keyA));
    byte[] msg = "order-42".getBytes(UTF_8);
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer =
            Signer.localBuilder(store).grace(Duration.ofHours(1)).clock(clock).build()) {
      String sigA = signer.sign("k", msg);
      writer.writeStrings(Map.of("k", keyB));
      String idB = expectedKeyId(keyB.getBytes(UTF_8));
      // The very next signature after the store published the new generation uses the new key.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> store.snapshot().find("k").valueEquals(keyB.getBytes(UTF_8)));
      String sigB = signer.sign("k", msg);
      assertThat(sigB).isEqualTo(expectedSignature(keyB, "order-42")).contains(":" + idB + ":");
      assertThat(signer.verify("k", msg, sigA)).isTrue();
      assertThat(signer.verify("k", msg, sigB)).isTrue();
      clock.advance(Duration.ofMinutes(59));
      assertThat(signer.verify("k", msg, sigA)).isTrue();
      clock.advance(Duration.ofMinutes(1));
      assertThat(signer.verify("k", msg, sigA)).as("grace over").isFalse();
      assertThat(signer.verifyBatch("k", List.of(msg, msg), List.of(sigA, sigB)))
          .containsExactly(false, true);
      assertThat(signer.verify("k", msg, sigB)).isTrue();
    }
  }

  @Test
  void generationsSeenOnlyThroughEventsStillVerifyAndOldKeysAreBounded() throws Exception {
    MutableClock clock = new MutableClock();
    writer.writeStrings(Map.of("k", keyA));
    byte[] msg = "m".getBytes(UTF_8);
    try (SecretStore store = SecretStore.builder().mount(keys).watch(false).build();
        Signer signer = Signer.localBuilder(store).maxOldKeys(2).clock(clock).build()) {
      String sigA = signer.sign("k", msg);
      // B is current for a moment on this replica but never used here; another replica may have
      // signed with it.
      writer.writeStrings(Map.of("k", keyB));
      store.refresh();
      writer.writeStrings(Map.of("k", keyC));
      store.refresh();
      String sigB = expectedSignature(keyB, "m");
      String sigC = signer.sign("k", msg);
      assertThat(sigC).isEqualTo(expectedSignature(keyC, "m"));
      await().atMost(Duration.ofSeconds(10)).until(() -> signer.verify("k", msg, sigB));
      assertThat(signer.verify("k", msg, sigA)).isTrue();
      // A fourth key pushes the oldest out: at most two previous keys are kept.
      String keyD = canary();
      try {
        writer.writeStrings(Map.of("k", keyD));
        store.refresh();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> signer.sign("k", msg).equals(expectedSignature(keyD, "m")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !signer.verify("k", msg, sigA));
        assertThat(signer.verify("k", msg, sigB)).isTrue();
        assertThat(signer.verify("k", msg, sigC)).isTrue();
      } finally {
        assertNoLeak(logs.text(), keyD);
      }
    }
  }

  @Test
  void aRemovedKeyStopsSigningButVerifiesDuringGraceThenIsUnknown() throws Exception {
    MutableClock clock = new MutableClock();
    writer.writeStrings(Map.of("k", keyA, "keep", keyB));
    byte[] msg = "m".getBytes(UTF_8);
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer signer =
            Signer.localBuilder(store).grace(Duration.ofMinutes(5)).clock(clock).build()) {
      String sigA = signer.sign("k", msg);
      writer.writeStrings(Map.of("keep", keyB));
      await().atMost(Duration.ofSeconds(10)).until(() -> !store.snapshot().contains("k"));
      assertThat(
              remember(org.assertj.core.api.Assertions.catchThrowable(() -> signer.sign("k", msg))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("removed");
      assertThat(signer.verify("k", msg, sigA)).isTrue();
      clock.advance(Duration.ofMinutes(5));
      assertThat(
              remember(
                  org.assertj.core.api.Assertions.catchThrowable(
                      () -> signer.verify("k", msg, sigA))))
          .isInstanceOf(SigningKeyNotFoundException.class);
      // A key that comes back (a rollback) is current again.
      writer.writeStrings(Map.of("k", keyA, "keep", keyB));
      await().atMost(Duration.ofSeconds(10)).until(() -> store.snapshot().contains("k"));
      assertThat(signer.sign("k", msg)).isEqualTo(sigA);
    }
  }

  @Test
  void closedSignerRefusesWork() {
    writer.writeStrings(Map.of("k", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).build()) {
      Signer signer = Signer.local(store);
      signer.close();
      signer.close();
      assertThatThrownBy(() -> signer.sign("k", new byte[1]))
          .isInstanceOf(IllegalStateException.class);
      // The store is the caller's and stays open.
      assertThat(store.get("k")).isPresent();
    }
  }

  @Test
  void builderRejectsNonsense() {
    writer.writeStrings(Map.of("k", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).watch(false).build()) {
      assertThatThrownBy(() -> Signer.localBuilder(store).grace(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Signer.localBuilder(store).maxOldKeys(-1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Signer.localBuilder(store).minKeyBytes(0))
          .isInstanceOf(IllegalArgumentException.class);
      try (Signer signer = Signer.localBuilder(store).grace(Duration.ZERO).maxOldKeys(0).build()) {
        assertThat(signer.signBatch("k", List.of())).isEmpty();
        assertThatThrownBy(() -> signer.verifyBatch("k", List.of(new byte[1]), List.of()))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void aKeySetInTheStoreVerifiesAcrossRestartsAndItsMembersNeverSign() throws Exception {
    byte[] msg = "order-7".getBytes(UTF_8);
    writer.writeStrings(Map.of("webhook", keyA));
    String madeWithA;
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer first = Signer.local(store)) {
      madeWithA = first.sign("webhook", msg);
    }
    // Overlap step 1: the next key is announced; every replica verifies it, none signs with it yet.
    writer.writeStrings(Map.of("webhook", keyA, "webhook.next", keyB));
    String madeWithB = expectedSignature(keyB, "order-7");
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer restarted = Signer.local(store)) {
      assertThat(restarted.sign("webhook", msg)).isEqualTo(madeWithA);
      assertThat(restarted.verify("webhook", msg, madeWithB)).isTrue();
    }
    // Step 2: promoted, the old key kept as .previous; a fresh process (no memory) still verifies
    // A.
    writer.writeStrings(Map.of("webhook", keyB, "webhook.previous", keyA));
    try (SecretStore store = SecretStore.builder().mount(keys).build();
        Signer restarted = Signer.localBuilder(store).grace(java.time.Duration.ZERO).build()) {
      assertThat(restarted.sign("webhook", msg)).isEqualTo(madeWithB);
      assertThat(restarted.verify("webhook", msg, madeWithA))
          .as("previous key from the key set")
          .isTrue();
      assertThat(restarted.verifyBatch("webhook", List.of(msg, msg), List.of(madeWithA, madeWithB)))
          .containsExactly(true, true);
      assertThat(restarted.verify("webhook", msg, expectedSignature(keyC, "order-7"))).isFalse();
      assertThat(remember(catchThrowable(() -> restarted.sign("webhook.previous", msg))))
          .isInstanceOf(SigningKeyNotFoundException.class)
          .hasMessageContaining("verify-only member of the key set of 'webhook'");
      assertThat(restarted.keyStatus())
          .singleElement()
          .satisfies(
              k -> {
                assertThat(k.name()).isEqualTo("webhook");
                assertThat(k.keyId()).isEqualTo(expectedKeyId(keyB.getBytes(UTF_8)));
                assertThat(k.verifyOnlyKeyIds())
                    .containsExactly(expectedKeyId(keyA.getBytes(UTF_8)));
              });
      // Step 3: the previous key is dropped; with no in-memory grace it stops verifying at once.
      writer.writeStrings(Map.of("webhook", keyB));
      await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> !restarted.verify("webhook", msg, madeWithA));
      assertThat(restarted.verify("webhook", msg, madeWithB)).isTrue();
    }
  }
}
