package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rotation end to end: an {@code SSLServerSocket} on loopback made from the view's context
 * serves certificate A; the kubelet swaps the volume to B; the connection opened before keeps
 * working, and new handshakes present B. Twenty-five times in a row.
 */
class TlsViewRotationTests {

  @TempDir Path tmp;
  static final TestCertificates CA = new TestCertificates();
  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();
  LogCapture logs;
  SecretStore store;
  TlsView tls;
  final List<String> keyCanaries = new ArrayList<>();

  @BeforeEach
  void captureLogs(LogCapture logs) {
    this.logs = logs;
  }

  @AfterEach
  void closeAndCheckLogs() {
    if (tls != null) {
      tls.close();
    }
    if (store != null) {
      store.close();
    }
    for (String canary : keyCanaries) {
      assertThat(logs.text()).doesNotContain(canary);
    }
  }

  private Map<String, String> volume(
      TestCertificates.Issued issued, TestCertificates.KeyEncoding encoding) {
    String key = TestCertificates.keyPem(issued.keyPair(), encoding);
    keyCanaries.add(
        Base64.getEncoder()
            .encodeToString(issued.keyPair().getPrivate().getEncoded())
            .substring(40, 80));
    keyCanaries.add(key.split("\n")[2]);
    return Map.of("tls.crt", CA.chainPem(issued), "tls.key", key, "ca.crt", CA.caPem());
  }

  @Test
  void newHandshakesPresentEachRotatedCertificateWhileOpenConnectionsKeepWorking()
      throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued first = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(volume(first, TestCertificates.KeyEncoding.TRADITIONAL));
    store = SecretStore.builder().mount(writer.volume()).build();
    tls = TlsView.of(store);
    List<BigInteger> told = new CopyOnWriteArrayList<>();
    tls.subscribe((previous, current) -> told.add(current.serialNumber()));

    try (TlsTestServer server = new TlsTestServer(tls.sslContext(), CA.ca())) {
      TlsTestServer.Client open = server.connect();
      assertThat(open.serial()).isEqualTo(first.serial());
      assertThat(open.roundTrip("hello")).isEqualTo("hello");
      List<TlsTestServer.Client> earlier = new ArrayList<>(List.of(open));

      List<BigInteger> expected = new ArrayList<>();
      for (int rotation = 1; rotation <= 25; rotation++) {
        // Alternate key types and encodings, so every rotation also changes the key.
        TestCertificates.Issued next =
            CA.issue(TestCertificates.keyPair(rotation % 2 == 0 ? "EC-256" : "EC-384"));
        TestCertificates.KeyEncoding encoding =
            rotation % 3 == 0
                ? TestCertificates.KeyEncoding.PKCS8
                : TestCertificates.KeyEncoding.TRADITIONAL;
        writer.writeStrings(volume(next, encoding));
        expected.add(next.serial());

        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(2))
            .until(server::handshakeSerial, serial -> serial.equals(next.serial()));
        // Once B is served, it stays served: no handshake goes back to an older generation.
        assertThat(server.handshakeSerial()).isEqualTo(next.serial());
        assertThat(tls.current().serialNumber()).isEqualTo(next.serial());
        // Every connection opened before, on older certificates, still works.
        for (TlsTestServer.Client client : earlier) {
          assertThat(client.roundTrip("after rotation " + rotation))
              .isEqualTo("after rotation " + rotation);
        }
        TlsTestServer.Client fresh = server.connect();
        assertThat(fresh.serial()).isEqualTo(next.serial());
        earlier.add(fresh);
      }
      assertThat(open.serial())
          .as("the first connection keeps its session")
          .isEqualTo(first.serial());
      await().atMost(Duration.ofSeconds(20)).until(() -> told.size() == expected.size());
      assertThat(told).containsExactlyElementsOf(expected);
      assertThat(tls.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
      assertThat(tls.health().installs()).isEqualTo(26);
      for (TlsTestServer.Client client : earlier) {
        client.close();
      }
    }
  }

  @Test
  void aMountWithANamePrefixIsReadWithThatPrefix() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("api-tls"));
    TestCertificates.Issued issued = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(volume(issued, TestCertificates.KeyEncoding.PKCS8));
    store = SecretStore.builder().mount(writer.volume(), "api.").build();
    tls = TlsView.builder(store).prefix("api.").build();

    assertThat(tls.current().serialNumber()).isEqualTo(issued.serial());
    assertThat(tls.health().names()).containsExactly("api.tls.crt", "api.tls.key", "api.ca.crt");
    try (TlsTestServer server = new TlsTestServer(tls.sslContext(), CA.ca())) {
      assertThat(server.handshakeSerial()).isEqualTo(issued.serial());
    }
  }

  @Test
  void mutualTlsWorksWithTwoViewsWhoseCaBundleIssuedBothCertificates() throws Exception {
    KubernetesVolumeWriter serverVolume = KubernetesVolumeWriter.kubelet(tmp.resolve("server-tls"));
    KubernetesVolumeWriter clientVolume = KubernetesVolumeWriter.kubelet(tmp.resolve("client-tls"));
    TestCertificates.Issued serverCert = CA.issue(TestCertificates.keyPair("EC-256"));
    TestCertificates.Issued clientCert = CA.issue(TestCertificates.keyPair("RSA-2048"));
    serverVolume.writeStrings(volume(serverCert, TestCertificates.KeyEncoding.PKCS8));
    clientVolume.writeStrings(volume(clientCert, TestCertificates.KeyEncoding.TRADITIONAL));
    store =
        SecretStore.builder()
            .mount(serverVolume.volume(), "server.")
            .mount(clientVolume.volume(), "client.")
            .build();
    tls = TlsView.builder(store).prefix("server.").build();
    TlsView client = TlsView.builder(store).prefix("client.").build();

    try (javax.net.ssl.SSLServerSocket server =
        (javax.net.ssl.SSLServerSocket)
            tls.sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      server.setNeedClientAuth(true);
      java.util.concurrent.CompletableFuture<BigInteger> clientSerialSeenByServer =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try (javax.net.ssl.SSLSocket accepted = (javax.net.ssl.SSLSocket) server.accept()) {
                  accepted.setSoTimeout(10_000);
                  accepted.startHandshake();
                  BigInteger serial =
                      ((java.security.cert.X509Certificate)
                              accepted.getSession().getPeerCertificates()[0])
                          .getSerialNumber();
                  accepted.getOutputStream().write(1);
                  accepted.getOutputStream().flush();
                  return serial;
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (javax.net.ssl.SSLSocket socket =
          (javax.net.ssl.SSLSocket)
              client
                  .sslContext()
                  .getSocketFactory()
                  .createSocket(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        assertThat(socket.getInputStream().read()).isEqualTo(1);
        assertThat(
                ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSerialNumber())
            .isEqualTo(serverCert.serial());
      }
      assertThat(clientSerialSeenByServer.get(20, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(clientCert.serial());
    } finally {
      client.close();
    }
  }

  @Test
  void theTrustManagerTrustsTheGenerationsCaBundle() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
    TestCertificates.Issued issued = CA.issue(TestCertificates.keyPair("EC-256"));
    writer.writeStrings(volume(issued, TestCertificates.KeyEncoding.PKCS8));
    store = SecretStore.builder().mount(writer.volume()).build();
    tls = TlsView.of(store);

    // A client built from the same view trusts the server because ca.crt is the issuer.
    try (TlsTestServer server = new TlsTestServer(tls.sslContext(), CA.ca());
        javax.net.ssl.SSLSocket socket =
            (javax.net.ssl.SSLSocket)
                tls.sslContext()
                    .getSocketFactory()
                    .createSocket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
      socket.startHandshake();
      assertThat(
              ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
                  .getSerialNumber())
          .isEqualTo(issued.serial());
    }
    // A certificate from another CA is refused.
    TestCertificates other = new TestCertificates();
    TestCertificates.Issued stranger = other.issue(TestCertificates.keyPair("EC-256"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                tls.trustManager()
                    .checkServerTrusted(
                        new java.security.cert.X509Certificate[] {
                          stranger.certificate(), other.ca()
                        },
                        "ECDHE_ECDSA"))
        .isInstanceOf(java.security.cert.CertificateException.class);
  }
}
