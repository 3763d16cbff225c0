package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The same SSL bundle served by Reactor Netty (WebFlux) on a loopback port: 20 kubelet rotations,
 * each new handshake presents the new certificate, a keep-alive connection opened before keeps
 * working.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = SecretsSslBundleNettyTests.App.class,
    properties = {
      "spring.main.web-application-type=reactive",
      "server.address=127.0.0.1",
      "server.ssl.bundle=web",
      "secretsdk.ssl.bundle.web.location=${secretsdk.ssl-netty.dir}"
    })
@DirtiesContext
class SecretsSslBundleNettyTests {

  static long nextSerial = 5000;
  static KubernetesVolumeWriter volume;
  static TestCertificates.Pem served;

  @LocalServerPort int port;

  @BeforeAll
  static void writeVolume() throws IOException {
    Path dir = Files.createTempDirectory("secretsdk-ssl-netty").resolve("tls");
    System.setProperty("secretsdk.ssl-netty.dir", dir.toString());
    volume = KubernetesVolumeWriter.kubelet(dir);
    rotate();
  }

  @AfterAll
  static void clearProperty() {
    System.clearProperty("secretsdk.ssl-netty.dir");
  }

  private static TestCertificates.Pem rotate() {
    served = TestCertificates.selfSigned(nextSerial++);
    volume.writeStrings(served.tlsSecret());
    return served;
  }

  private SSLSocket connect() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new SecretsSslBundleEndToEndTests.TrustEveryServer()}, new SecureRandom());
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(20_000);
    return socket;
  }

  private BigInteger handshakeSerial() throws Exception {
    try (SSLSocket socket = connect()) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static int ping(SSLSocket socket, BufferedReader in) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = in.readLine();
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      // Headers of a 204: no body follows.
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  @Test
  void nettyServesEveryRotationToNewHandshakesWhileAnOpenConnectionKeepsWorking() throws Exception {
    assertThat(handshakeSerial()).isEqualTo(served.serial());
    try (SSLSocket open = connect()) {
      open.startHandshake();
      BufferedReader in = new BufferedReader(new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(ping(open, in)).isEqualTo(204);

      for (int i = 0; i < 20; i++) {
        TestCertificates.Pem next = rotate();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handshakeSerial()).isEqualTo(next.serial()));
        assertThat(ping(open, in)).isEqualTo(204);
      }
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    /** Netty, whatever else is on the test class path. */
    @Bean
    NettyReactiveWebServerFactory nettyReactiveWebServerFactory() {
      return new NettyReactiveWebServerFactory();
    }

    @Bean
    RouterFunction<ServerResponse> ping() {
      return RouterFunctions.route().GET("/ping", request -> ServerResponse.noContent().build()).build();
    }
  }
}
