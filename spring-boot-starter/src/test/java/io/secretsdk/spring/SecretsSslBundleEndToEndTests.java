package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Spring Boot application with embedded Tomcat serving HTTPS on a loopback port from the SSL
 * bundle {@code web}, read from a kubelet-written {@code kubernetes.io/tls} volume that rotates
 * while the server runs.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = SecretsSslBundleEndToEndTests.App.class,
    properties = {
      "server.address=127.0.0.1",
      "server.ssl.bundle=web",
      "secretsdk.ssl.bundle.web.location=${secretsdk.ssl-e2e.dir}",
      "logging.level.io.secretsdk=TRACE",
      "logging.level.org.springframework.boot.tomcat=DEBUG"
    })
@DirtiesContext
class SecretsSslBundleEndToEndTests {

  /**
   * Captures the console (the application logs at TRACE) for the key-material checks, and keeps it
   * out of a green build (printed if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static final List<TestCertificates.Pem> SERVED = new CopyOnWriteArrayList<>();
  static long nextSerial = 1000;
  static Path dir;
  static KubernetesVolumeWriter volume;

  @LocalServerPort int port;
  @Autowired SslBundles sslBundles;
  @Autowired MeterRegistry meters;

  @Autowired
  @Qualifier("secretsSslHealthIndicator")
  HealthIndicator health;

  @BeforeAll
  static void writeVolume() throws IOException {
    dir = Files.createTempDirectory("secretsdk-ssl-e2e").resolve("tls");
    System.setProperty("secretsdk.ssl-e2e.dir", dir.toString());
    volume = KubernetesVolumeWriter.kubelet(dir);
    rotate();
  }

  @AfterAll
  static void clearProperty() {
    System.clearProperty("secretsdk.ssl-e2e.dir");
  }

  private static synchronized TestCertificates.Pem rotate() {
    TestCertificates.Pem pem = TestCertificates.selfSigned(nextSerial++);
    SERVED.add(pem);
    volume.writeStrings(pem.tlsSecret());
    return pem;
  }

  /** A request on a new connection (the server closes each one): the serial the client verified. */
  private BigInteger clientSerial(HttpClient client) throws Exception {
    HttpResponse<Void> response =
        client.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/ping-close"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(204);
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSerialNumber();
  }

  @Test
  void everyRotationIsServedToNewHandshakesWhileAnOpenConnectionKeepsWorking(LogCapture output)
      throws Exception {
    TestCertificates.Pem first = SERVED.get(SERVED.size() - 1);
    assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(first.serial());

    // A client built once from the bundle, as RestClientSsl / HttpClientSettings.ofSslBundle do: it
    // trusts only the bundle's ca.crt, so it can reach a rotated server only if it follows the
    // bundle.
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(sslBundles.getBundle("web").createSslContext())
            .build();
    assertThat(clientSerial(client)).isEqualTo(first.serial());

    try (SSLSocket open = HttpsProbe.connect(port)) {
      open.startHandshake();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(HttpsProbe.ping(open, in)).isEqualTo(204);
      BigInteger openSerial =
          ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber();

      for (int i = 0; i < 20; i++) {
        TestCertificates.Pem next = rotate();

        soon()
            .untilAsserted(
                () -> assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(next.serial()));
        assertThat(HttpsProbe.ping(open, in)).isEqualTo(204);
        assertThat(((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber())
            .isEqualTo(openSerial);
        assertThat(clientSerial(client)).isEqualTo(next.serial());
        X509Certificate registered =
            (X509Certificate)
                sslBundles.getBundle("web").getStores().getKeyStore().getCertificate("ssl");
        assertThat(registered.getSerialNumber()).isEqualTo(next.serial());
      }
    }

    // Spring Boot's own SSL meters follow the bundle too (updateBundle), for expiry alerts.
    String lastSerial = SERVED.get(SERVED.size() - 1).serial().toString(16);
    soon()
        .untilAsserted(
            () ->
                assertThat(
                        meters
                            .get("ssl.chain.expiry")
                            .tag("bundle", "web")
                            .tag("certificate", lastSerial)
                            .gauge()
                            .value())
                    .isGreaterThan(Duration.ofDays(29).toSeconds()));

    Health h = health.health();
    assertThat(h.getStatus().getCode()).isEqualTo("UP");
    @SuppressWarnings("unchecked")
    Map<String, Object> web = (Map<String, Object>) h.getDetails().get("web");
    assertThat(web)
        .containsEntry("serialNumber", SERVED.get(SERVED.size() - 1).serial().toString(16));
    assertThat((Long) web.get("updates")).isGreaterThanOrEqualTo(20L);
    assertNoKeyMaterialIn(output.text());
    assertNoKeyMaterialIn(h.toString());
  }

  @Test
  void aBadGenerationKeepsTheServedCertificateAndTheNextGoodOneRecovers(LogCapture output)
      throws Exception {
    TestCertificates.Pem good = rotate();
    soon()
        .untilAsserted(() -> assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(good.serial()));

    // A key that belongs to another certificate: never installed.
    TestCertificates.Pem other = TestCertificates.selfSigned(nextSerial++);
    SERVED.add(other);
    Map<String, String> mismatched = new HashMap<>(other.tlsSecret());
    mismatched.put("tls.key", good.privateKey());
    volume.writeStrings(mismatched);
    soon().untilAsserted(() -> assertThat(lastError()).contains("does not match"));
    assertThat(lastError()).contains(dir.resolve("tls.key").toString()).contains("'web'");
    assertThat(health.health().getStatus().getCode()).isEqualTo("DEGRADED");
    assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(good.serial());

    // A key file that is not PEM at all.
    Map<String, String> garbage = new HashMap<>(other.tlsSecret());
    garbage.put(
        "tls.key", "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
    volume.writeStrings(garbage);
    soon().untilAsserted(() -> assertThat(lastError()).contains("does not parse"));
    assertThat(lastError()).contains(dir.resolve("tls.key").toString());
    assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(good.serial());

    // An expired certificate with its own key.
    TestCertificates.Pem expired =
        TestCertificates.selfSigned(
            nextSerial++,
            Instant.now().minus(Duration.ofDays(10)),
            Instant.now().minus(Duration.ofDays(1)));
    SERVED.add(expired);
    volume.writeStrings(expired.tlsSecret());
    soon().untilAsserted(() -> assertThat(lastError()).contains("expired"));
    assertThat(lastError()).contains(dir.resolve("tls.crt").toString());
    assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(good.serial());

    TestCertificates.Pem recovered = rotate();
    soon()
        .untilAsserted(
            () -> assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(recovered.serial()));
    soon().untilAsserted(() -> assertThat(health.health().getStatus().getCode()).isEqualTo("UP"));
    assertThat(lastError()).isNull();
    // The capture sees the application's log lines: the refusals were logged, naming the bundle.
    assertThat(output.text()).contains("SSL bundle 'web'").contains("does not match");
    assertNoKeyMaterialIn(output.text());
  }

  /**
   * Waits up to 20 s, checking at once and then every 10 ms: each of the 20 rotations is served
   * within milliseconds, and Awaitility's default first check after 100 ms was most of this class's
   * time.
   */
  private static ConditionFactory soon() {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10));
  }

  @SuppressWarnings("unchecked")
  private String lastError() {
    return (String)
        ((Map<String, Object>) health.health().getDetails().get("web")).get("lastError");
  }

  /** No log line or health text holds any line of a private key served or refused. */
  private static void assertNoKeyMaterialIn(String text) {
    for (TestCertificates.Pem pem : SERVED) {
      pem.privateKey()
          .lines()
          .filter(line -> !line.startsWith("-----"))
          .forEach(line -> assertThat(text).doesNotContain(line));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(PingController.class)
  static class App {}

  @RestController
  static class PingController {

    @GetMapping("/ping")
    ResponseEntity<Void> ping() {
      return ResponseEntity.noContent().build();
    }

    /**
     * Closes the connection after answering, so the client's next request makes a new handshake.
     */
    @GetMapping("/ping-close")
    ResponseEntity<Void> pingClose() {
      return ResponseEntity.noContent().header("Connection", "close").build();
    }
  }
}
