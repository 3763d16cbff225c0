package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A view parses each distinct content once, however many threads read it at the same time, never
 * again when an unrelated key rotates, and never serves a stale value once the store has published
 * a new generation.
 */
class SecretViewParsingTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  static final TestCertificates CA = new TestCertificates();
  static final int READERS = 8;
  @TempDir Path tmp;
  SecretStore store;
  TlsView tls;
  final ExecutorService pool = Executors.newFixedThreadPool(READERS);

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    if (tls != null) {
      tls.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private static Map<String, String> files(TestCertificates.Issued issued, String unrelated) {
    Map<String, String> files = new HashMap<>();
    files.put("tls.crt", CA.chainPem(issued));
    files.put(
        "tls.key", TestCertificates.keyPem(issued.keyPair(), TestCertificates.KeyEncoding.PKCS8));
    files.put("api-token", unrelated);
    return files;
  }

  /** All readers call current() at once, on the same fresh snapshot. */
  private List<BigInteger> readTogether() throws Exception {
    CyclicBarrier start = new CyclicBarrier(READERS);
    List<Future<BigInteger>> results = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await(20, TimeUnit.SECONDS);
                return tls.current().serialNumber();
              }));
    }
    List<BigInteger> serials = new ArrayList<>();
    for (Future<BigInteger> result : results) {
      serials.add(result.get(20, TimeUnit.SECONDS));
    }
    return serials;
  }

  @Test
  void eachDistinctContentIsParsedOnceUnderConcurrentReadsAndNoReadIsStale() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued issued = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(files(issued, "token-0"));
    // No watching: refresh() publishes each generation exactly when the test says so.
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    tls = TlsView.of(store);

    for (int rotation = 1; rotation <= 15; rotation++) {
      long parsesBefore = tls.parses();
      issued = CA.issue(TestCertificates.keyPair("EC-256"));
      writer.writeStrings(files(issued, "token-" + rotation));
      store.refresh();

      // The first reads after the publication already see the new generation, all of them.
      assertThat(readTogether()).containsOnly(issued.serial());
      assertThat(tls.parses()).isEqualTo(parsesBefore + 1);
      // More reads, and reads through the key manager, parse nothing.
      assertThat(readTogether()).containsOnly(issued.serial());
      String alias = tls.keyManager().chooseServerAlias("EC", null, null);
      assertThat(tls.keyManager().getCertificateChain(alias)[0].getSerialNumber())
          .isEqualTo(issued.serial());
      assertThat(tls.parses()).isEqualTo(parsesBefore + 1);
    }
  }

  @Test
  void aRotationOfAnUnrelatedKeyParsesNothing() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued issued = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(files(issued, "token-0"));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    tls = TlsView.of(store);
    TlsMaterial first = tls.current();
    assertThat(tls.parses()).isEqualTo(1);

    for (int i = 1; i <= 10; i++) {
      writer.writeStrings(files(issued, "token-" + i));
      long revision = store.refresh().revision();
      assertThat(store.snapshot().revision()).isEqualTo(revision);
      assertThat(readTogether()).containsOnly(issued.serial());
      assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
    }
    assertThat(tls.parses()).isEqualTo(1);
    assertThat(tls.current()).isSameAs(first);
  }
}
