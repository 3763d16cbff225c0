package io.secretsdk.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.spring.SecretsBinding;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real application on a loopback port 0, its Secrets written by {@link KubernetesVolumeWriter}
 * in the kubelet's order, rotated while it serves. Every answer and every line it logs is searched
 * for the planted canaries.
 */
class OrdersApplicationTests {

  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir Path secrets;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> answers = new ArrayList<>();
  private ConfigurableApplicationContext app;
  private int port;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  private void start(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0", "--server.address=127.0.0.1", "--app.secrets-dir=" + secrets));
    args.addAll(List.of(more));
    app = SpringApplication.run(OrdersApplication.class, args.toArray(String[]::new));
    port = ((WebServerApplicationContext) app).getWebServer().getPort();
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    answers.add(path + " " + response.statusCode() + " " + response.body());
    return response;
  }

  @Test
  void credentialPairFromTheBasicAuthSecretFollowsRotationWithoutRestart(Canaries canaries)
      throws Exception {
    String password = canaries.next("password");
    KubernetesVolumeWriter db = KubernetesVolumeWriter.kubelet(secrets.resolve("db"));
    db.writeStrings(Map.of("username", "orders", "password", password));
    start();
    @SuppressWarnings("unchecked")
    SecretsBinding<DatabaseCredentials> binding =
        app.getBean("databaseCredentials", SecretsBinding.class);

    assertThat(get("/api/database").body()).contains("\"username\":\"orders\"", "\"connection\":1");
    assertThat(binding.get()).isEqualTo(new DatabaseCredentials("orders", password));

    String rotated = canaries.next("rotated");
    db.writeStrings(Map.of("username", "orders-v2", "password", rotated));

    // One rotation seen, one new connection opened with the whole new pair.
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(get("/api/database").body())
                    .isEqualTo("{\"username\":\"orders-v2\",\"connection\":2,\"rotations\":1}"));
    assertThat(binding.get()).isEqualTo(new DatabaseCredentials("orders-v2", rotated));
    for (String answer : answers) {
      canaries.assertNotIn("an HTTP answer", answer);
    }
    canaries.assertNoLeak(binding, binding.get(), app.getBean(OrdersDatabase.class).connection());
  }

  @Test
  void itemPathMappingAndDotfileKeyOfTheOpaqueSecretAreRead(Canaries canaries) throws Exception {
    KubernetesVolumeWriter.kubelet(secrets.resolve("db"))
        .writeStrings(Map.of("username", "orders", "password", canaries.next("password")));
    KubernetesVolumeWriter api = KubernetesVolumeWriter.kubelet(secrets.resolve("api"));
    // What the kubelet writes for items: [{key: payments-key, path: payments/key}, {key:
    // .registry-token, path: .registry-token}]
    api.writeStrings(
        Map.of(
            "payments/key",
            canaries.next("payments"),
            ".registry-token",
            canaries.next("registry")));
    start();

    assertThat(get("/api/integrations").body())
        .isEqualTo("{\"payments\":\"configured\",\"registry\":\"configured\"}");
    assertThat(app.getEnvironment().getProperty("app.api.payments.key"))
        .startsWith("canary-payments-");
    canaries.assertNotIn("an HTTP answer", answers.toString());
  }

  @Test
  void actuatorReportsSecretsInReadinessAndMetricsWithoutValues(Canaries canaries)
      throws Exception {
    KubernetesVolumeWriter.kubelet(secrets.resolve("db"))
        .writeStrings(Map.of("username", "orders", "password", canaries.next("password")));
    start();

    HttpResponse<String> readiness = get("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(readiness.body()).contains("\"status\":\"UP\"", "\"secrets\"");
    assertThat(get("/actuator/health/liveness").body()).doesNotContain("secrets");
    assertThat(get("/actuator/metrics/secretsdk.keys").statusCode()).isEqualTo(200);
    assertThat(get("/actuator/secrets").body())
        .contains("app.datasource.password", "file:" + secrets.resolve("db/password"));
    canaries.assertNotIn("an HTTP answer", answers.toString());
  }

  @Test
  void tlsProfileServesTheMountedCertificateAndEachRenewalWithoutRestart(Canaries canaries)
      throws Exception {
    KubernetesVolumeWriter.kubelet(secrets.resolve("db"))
        .writeStrings(Map.of("username", "orders", "password", canaries.next("password")));
    KubernetesVolumeWriter tls = KubernetesVolumeWriter.kubelet(secrets.resolve("tls"));
    SelfSignedCertificate first = SelfSignedCertificate.create(secrets);
    tls.writeStrings(first.tlsSecret());
    start(
        "--spring.profiles.active=tls",
        "--management.server.port=0",
        "--management.server.address=127.0.0.1");

    assertThat(servedSerial()).isEqualTo(first.serial());

    SelfSignedCertificate renewed = SelfSignedCertificate.create(secrets);
    tls.writeStrings(renewed.tlsSecret());

    await()
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(servedSerial()).isEqualTo(renewed.serial()));
  }

  /** The serial of the certificate a new TLS handshake with the application gets. */
  private java.math.BigInteger servedSerial() throws Exception {
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {new TrustWhateverIsServed()}, null);
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            context
                .getSocketFactory()
                .createSocket(java.net.InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      socket.startHandshake();
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSerialNumber();
    }
  }

  /** The test asserts on the served serial itself, so it trusts any certificate. */
  static final class TrustWhateverIsServed implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  @Test
  void webhookSigningAnswers503WithoutASigner(Canaries canaries) throws Exception {
    KubernetesVolumeWriter.kubelet(secrets.resolve("db"))
        .writeStrings(Map.of("username", "orders", "password", canaries.next("password")));
    start();

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/webhooks/signature"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"order\":1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("secretsdk.signer.mode=sidecar");
  }
}
