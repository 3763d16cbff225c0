package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.CredentialPair;
import io.secretsdk.CredentialPairView;
import io.secretsdk.SecretStore;
import io.secretsdk.TlsView;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import io.secretsdk.testing.SystemProperties;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producers docs/microprofile.md shows ("Typed views"), run in Weld SE on the {@code
 * SecretStore} bean: a credential pair from one generation, and a live {@code SSLContext} whose
 * next handshake presents the rotated certificate.
 */
class SecretViewsProducerTests {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  @TempDir Path tmp;

  private String canary;
  private String rotatedCanary;
  private KubernetesVolumeWriter db;
  private KubernetesVolumeWriter tls;
  private WeldDeployment deployment;

  /** The producer class of the guide, as written there. */
  @ApplicationScoped
  static class SecretViews {

    @Produces
    @Singleton
    CredentialPairView database(SecretStore store) {
      return CredentialPairView.of(store, "db.username", "db.password");
    }

    @Produces
    @Singleton
    TlsView clientTls(SecretStore store) {
      return TlsView.builder(store).prefix("tls.").build();
    }

    @Produces
    @Singleton
    SSLContext clientSslContext(TlsView tls) {
      return tls.sslContext();
    }

    void close(@Disposes CredentialPairView view) {
      view.close();
    }

    void close(@Disposes TlsView view) {
      view.close();
    }
  }

  /** A certificate and its key as PEM, made by the JDK's keytool. */
  private record Pem(String certificate, String privateKey, BigInteger serial) {}

  private Pem selfSigned(String alias) throws Exception {
    Path store = tmp.resolve(alias + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + alias,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    keytool.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    X509Certificate certificate = (X509Certificate) keys.getCertificate(alias);
    byte[] key = keys.getKey(alias, "changeit".toCharArray()).getEncoded();
    return new Pem(
        pem("CERTIFICATE", certificate.getEncoded()),
        pem("PRIVATE KEY", key),
        certificate.getSerialNumber());
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  @BeforeEach
  void deploy(Canaries canaries, SystemProperties properties) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    db = KubernetesVolumeWriter.kubelet(tmp.resolve("db"));
    db.writeStrings(Map.of("username", "app", "password", canary));
    tls = KubernetesVolumeWriter.kubelet(tmp.resolve("tls"));
  }

  private void start(Pem first, SystemProperties properties) {
    tls.writeStrings(Map.of("tls.crt", first.certificate(), "tls.key", first.privateKey()));
    properties.set("secretsdk.mounts", db.volume() + "=db," + tls.volume() + "=tls");
    deployment = WeldDeployment.deploy(SecretViews.class);
  }

  @AfterEach
  void stop() {
    if (deployment != null) {
      deployment.close();
    }
  }

  @Test
  void theCredentialPairBeanFollowsRotationAsOnePair(SystemProperties properties) throws Exception {
    start(selfSigned("first"), properties);
    CredentialPairView pairs = deployment.get(CredentialPairView.class);
    List<CredentialPair> seen = new CopyOnWriteArrayList<>();
    pairs.subscribe((previous, current) -> seen.add(current));
    assertThat(pairs.current().password()).isEqualTo(canary);

    db.writeStrings(Map.of("username", "app2", "password", rotatedCanary));

    await().atMost(PATIENCE).until(() -> !seen.isEmpty());
    assertThat(seen.get(0).username()).isEqualTo("app2");
    assertThat(seen.get(0).password()).isEqualTo(rotatedCanary);
    assertThat(seen.get(0).toString()).doesNotContain(rotatedCanary);
  }

  @Test
  void theSslContextBeanPresentsTheRotatedCertificateOnTheNextHandshake(SystemProperties properties)
      throws Exception {
    Pem first = selfSigned("first");
    Pem second = selfSigned("second");
    start(first, properties);
    SSLContext server = deployment.get(SSLContext.class);

    try (SSLServerSocket socket =
        (SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> serve(socket), "test-tls-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      assertThat(presentedSerial(socket.getLocalPort())).isEqualTo(first.serial());

      tls.writeStrings(Map.of("tls.crt", second.certificate(), "tls.key", second.privateKey()));

      await()
          .atMost(PATIENCE)
          .until(() -> presentedSerial(socket.getLocalPort()).equals(second.serial()));
    }
  }

  private static void serve(SSLServerSocket socket) {
    while (!socket.isClosed()) {
      try (SSLSocket connection = (SSLSocket) socket.accept()) {
        connection.setSoTimeout(10_000);
        connection.startHandshake();
        connection.getOutputStream().write(1);
        connection.getOutputStream().flush();
      } catch (IOException e) {
        // A closed server socket ends the loop; a failed handshake is the client's to report.
      }
    }
  }

  /**
   * Connects over loopback and returns the serial number of the certificate the server presented.
   */
  private static BigInteger presentedSerial(int port) throws Exception {
    List<X509Certificate> presented = new CopyOnWriteArrayList<>();
    X509TrustManager recording =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {
            presented.add(chain[0]);
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, new TrustManager[] {recording}, null);
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      socket.getInputStream().read();
    }
    return presented.get(0).getSerialNumber();
  }
}
