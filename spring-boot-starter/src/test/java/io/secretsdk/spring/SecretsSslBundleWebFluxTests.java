package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A real Spring Boot WebFlux application on Reactor Netty serving HTTPS on a loopback port from the
 * SSL bundle {@code web}, read from a kubelet-written {@code kubernetes.io/tls} volume (EC P-256)
 * that rotates 20 times while the server runs. One application for the class.
 */
class SecretsSslBundleWebFluxTests {

  /** Keeps the application's console output out of a green build (printed if the test fails). */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static long nextSerial = 9000;
  static KubernetesVolumeWriter volume;
  static ConfigurableApplicationContext context;
  static int port;

  @BeforeAll
  static void start() throws IOException {
    Path dir = Files.createTempDirectory("secretsdk-ssl-webflux").resolve("tls");
    volume = KubernetesVolumeWriter.kubelet(dir);
    rotate();
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.REACTIVE)
            .properties(
                "server.address=127.0.0.1",
                "server.port=0",
                "server.ssl.bundle=web",
                "secretsdk.ssl.bundle.web.location=" + dir,
                "logging.level.org.springframework.boot.reactor.netty=DEBUG")
            .run();
    port = ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  @AfterAll
  static void stop() {
    if (context != null) {
      context.close();
    }
  }

  private static TestCertificates.Pem rotate() {
    TestCertificates.Pem pem = TestCertificates.selfSigned(nextSerial++);
    volume.writeStrings(pem.tlsSecret());
    return pem;
  }

  @Test
  void reactorNettyServesEveryRotationToNewHandshakesWhileAnOpenConnectionKeepsWorking()
      throws Exception {
    WebServer server = ((WebServerApplicationContext) context).getWebServer();
    assertThat(server).isInstanceOf(NettyWebServer.class);
    SslBundles bundles = context.getBean(SslBundles.class);
    BigInteger first = BigInteger.valueOf(nextSerial - 1);
    assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(first);

    try (SSLSocket open = HttpsProbe.connect(port)) {
      open.startHandshake();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(HttpsProbe.ping(open, in)).isEqualTo(204);
      assertThat(HttpsProbe.serial(open)).isEqualTo(first);

      for (int i = 0; i < 20; i++) {
        TestCertificates.Pem next = rotate();
        // Polled from the start, every 20 ms: the swap usually lands within milliseconds.
        await()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(20))
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> assertThat(HttpsProbe.handshakeSerial(port)).isEqualTo(next.serial()));
        // The connection opened before the first rotation still answers, with its session.
        assertThat(HttpsProbe.ping(open, in)).isEqualTo(204);
        assertThat(HttpsProbe.serial(open)).isEqualTo(first);
        X509Certificate registered =
            (X509Certificate)
                bundles.getBundle("web").getStores().getKeyStore().getCertificate("ssl");
        assertThat(registered.getSerialNumber()).isEqualTo(next.serial());
      }
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    RouterFunction<ServerResponse> routes() {
      return RouterFunctions.route()
          .GET("/ping", request -> ServerResponse.noContent().build())
          .build();
    }
  }
}
