package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.secretsdk.CredentialPair;
import io.secretsdk.CredentialPairView;
import io.secretsdk.SecretStore;
import io.secretsdk.SecretStoreHealth;
import io.secretsdk.Subscription;
import io.secretsdk.TlsMaterial;
import io.secretsdk.TlsView;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The core's typed views as beans of a real application: two SSL bundles give two {@link TlsView}
 * beans and two {@code secretsdk.credentials.*} entries give two {@link CredentialPairView} beans,
 * each injected by qualifier, over kubelet-written volumes that rotate while the application runs.
 * One application serves every test but the ones that build their own.
 */
class SecretsTypedViewBeansTests {

  /** Fails a test whose canary reaches a log line or the console, and keeps the console quiet. */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static final List<TestCertificates.Pem> CERTIFICATES = new CopyOnWriteArrayList<>();
  static long nextSerial = 5000;
  static Path dir;
  static KubernetesVolumeWriter db;
  static KubernetesVolumeWriter web;
  static KubernetesVolumeWriter internal;
  static String dbUser = "orders";
  static String dbPassword;
  static String apiToken;
  static ConfigurableApplicationContext context;

  @BeforeAll
  static void start(Canaries canaries) throws Exception {
    dir = Files.createTempDirectory("secretsdk-views");
    db = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    dbPassword = canaries.next("db-password");
    apiToken = canaries.next("api-token");
    db.writeStrings(
        Map.of(
            "username",
            "orders\n",
            "password",
            dbPassword + "\n",
            "api-user",
            "robot\n",
            "api-token",
            apiToken + "\n"));
    web = KubernetesVolumeWriter.kubelet(dir.resolve("web-tls"));
    web.writeStrings(certificate().tlsSecret());
    internal = KubernetesVolumeWriter.kubelet(dir.resolve("internal-tls"));
    internal.writeStrings(certificate().tlsSecret());
    context =
        new SpringApplicationBuilder(App.class)
            .properties(
                "server.address=127.0.0.1",
                "server.port=0",
                "spring.config.import=secrets:" + dir.resolve("db") + "/[prefix=app.db.]",
                "secretsdk.credentials.db.username-key=app.db.username",
                "secretsdk.credentials.db.password-key=app.db.password",
                "secretsdk.credentials.api.username-key=app.db.api-user",
                "secretsdk.credentials.api.password-key=app.db.api-token",
                "secretsdk.ssl.bundle.web.location=" + dir.resolve("web-tls"),
                "secretsdk.ssl.bundle.internal.location=" + dir.resolve("internal-tls"),
                "management.endpoints.web.exposure.include=health,env,configprops,beans,secrets",
                "management.endpoint.health.show-details=always",
                "management.endpoint.env.show-values=always",
                "management.endpoint.configprops.show-values=always",
                "logging.level.io.secretsdk=TRACE")
            .run();
  }

  @AfterAll
  static void stop() {
    if (context != null) {
      context.close();
    }
  }

  private static synchronized TestCertificates.Pem certificate() {
    TestCertificates.Pem pem = TestCertificates.selfSigned(nextSerial++);
    CERTIFICATES.add(pem);
    return pem;
  }

  private static <T> T bean(String qualifier, Class<T> type) {
    return context.getBean(Beans.class).get(qualifier, type);
  }

  @Test
  void everyBundleAndPairIsABeanNamedAfterItAndInjectedByQualifier() {
    Beans beans = context.getBean(Beans.class);
    assertThat(context.getBeansOfType(TlsView.class))
        .containsOnlyKeys("webTlsView", "internalTlsView");
    assertThat(context.getBeansOfType(CredentialPairView.class))
        .containsOnlyKeys("dbCredentialPairView", "apiCredentialPairView");
    assertThat(beans.web).isSameAs(context.getBean("webTlsView"));
    assertThat(beans.internal).isSameAs(context.getBean("internalTlsView"));
    assertThat(beans.db).isSameAs(context.getBean("dbCredentialPairView"));
    assertThat(beans.api).isSameAs(context.getBean("apiCredentialPairView"));

    CredentialPair pair = beans.db.current();
    assertThat(pair.username()).isEqualTo(dbUser);
    assertThat(pair.password()).isEqualTo(dbPassword);
    assertThat(beans.api.current().username()).isEqualTo("robot");
    assertThat(beans.web.current().serialNumber())
        .isNotEqualTo(beans.internal.current().serialNumber());
    assertThat(beans.web.health().status()).isEqualTo(SecretStoreHealth.Status.UP);
  }

  @Test
  void aRotatedPairIsSeenThroughTheBeanAndItsListenerAndNotByTheOtherPair(Canaries canaries) {
    CredentialPairView dbView = bean("db", CredentialPairView.class);
    CredentialPairView apiView = bean("api", CredentialPairView.class);
    List<CredentialPair[]> dbChanges = new CopyOnWriteArrayList<>();
    List<CredentialPair> apiChanges = new CopyOnWriteArrayList<>();
    CredentialPair before = dbView.current();
    String next = canaries.next("db-password");
    try (Subscription a =
            dbView.subscribe((old, now) -> dbChanges.add(new CredentialPair[] {old, now}));
        Subscription b = apiView.subscribe((old, now) -> apiChanges.add(now))) {
      db.writeStrings(
          Map.of(
              "username",
              "orders-v2\n",
              "password",
              next + "\n",
              "api-user",
              "robot\n",
              "api-token",
              apiToken + "\n"));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(dbChanges).hasSize(1));
      CredentialPair now = dbView.current();
      assertThat(now.username()).isEqualTo("orders-v2");
      assertThat(now.password()).isEqualTo(next);
      assertThat(dbChanges.get(0)[0]).isEqualTo(before);
      assertThat(dbChanges.get(0)[1]).isEqualTo(now);
      // The application's Environment agrees with the bean: both read the same generation.
      assertThat(context.getEnvironment().getProperty("app.db.password")).isEqualTo(next);
      assertThat(apiView.current().password()).isEqualTo(apiToken);
      assertThat(apiChanges).isEmpty();
      canaries.assertNoLeak(dbView, now, dbView.health(), apiView, context.getBean(Beans.class));
    }
    dbUser = "orders-v2";
    dbPassword = next;
  }

  @Test
  void aRotatedCertificateIsSeenThroughTheBeanAndItsListenerAndNotByTheOtherBundle() {
    TlsView webView = bean("web", TlsView.class);
    TlsView internalView = bean("internal", TlsView.class);
    BigInteger internalSerial = internalView.current().serialNumber();
    List<TlsMaterial[]> webChanges = new CopyOnWriteArrayList<>();
    List<TlsMaterial> internalChanges = new CopyOnWriteArrayList<>();
    TlsMaterial before = webView.current();
    try (Subscription a =
            webView.subscribe((old, now) -> webChanges.add(new TlsMaterial[] {old, now}));
        Subscription b = internalView.subscribe((old, now) -> internalChanges.add(now))) {
      for (int i = 0; i < 3; i++) {
        TestCertificates.Pem next = certificate();
        int seen = i + 1;
        web.writeStrings(next.tlsSecret());
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> assertThat(webChanges).hasSize(seen));
        assertThat(webView.current().serialNumber()).isEqualTo(next.serial());
        assertThat(webChanges.get(i)[1].serialNumber()).isEqualTo(next.serial());
        // The view's SSLContext key manager presents the new certificate too.
        String alias = webView.keyManager().chooseServerAlias("EC", null, null);
        assertThat(webView.keyManager().getCertificateChain(alias)[0].getSerialNumber())
            .isEqualTo(next.serial());
      }
      assertThat(webChanges.get(0)[0]).isEqualTo(before);
      assertThat(internalChanges).isEmpty();
      assertThat(internalView.current().serialNumber()).isEqualTo(internalSerial);
    }
  }

  @Test
  void noValueReachesTheActuatorOrABeanDescription(Canaries canaries) throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpClient http = HttpClient.newHttpClient();
    List<String> bodies = new ArrayList<>();
    for (String path :
        List.of("/actuator/health", "/actuator/env", "/actuator/configprops", "/actuator/beans")) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      bodies.add(response.body());
    }
    assertThat(bodies.get(3)).contains("dbCredentialPairView", "webTlsView");
    for (String body : bodies) {
      canaries.assertNotIn("the actuator", body);
      canaries.assertNotIn("the actuator", body.replace("\\n", "\n"));
      for (TestCertificates.Pem pem : CERTIFICATES) {
        pem.privateKey()
            .lines()
            .filter(line -> !line.startsWith("-----"))
            .forEach(line -> assertThat(body).doesNotContain(line));
      }
    }
    canaries.assertNoLeak(
        context.getBeansOfType(CredentialPairView.class).values().toArray(),
        context.getBeansOfType(TlsView.class).values().toArray(),
        bean("db", CredentialPairView.class).current(),
        bean("api", CredentialPairView.class).current(),
        bean("db", CredentialPairView.class).health(),
        bean("web", TlsView.class).current());
  }

  @Test
  void theViewsShowInTheHealthOfTheirImportAndTheirBundle() throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    String body = response.body();
    // The secrets indicator: both pairs, registered with the import's store.
    assertThat(body)
        .contains("\"names\":[\"app.db.username\",\"app.db.password\"]")
        .contains("\"names\":[\"app.db.api-user\",\"app.db.api-token\"]");
    // The secretsSsl indicator: each bundle's TlsView, with the served certificate's expiry.
    assertThat(body).contains("\"names\":[\"tls.crt\",\"tls.key\",\"ca.crt\"]");
    assertThat(body).contains("\"daysUntilExpiry\"");
  }

  @Test
  void noViewBeanWithoutViewProperties() throws Exception {
    Path plain = dir.resolve("plain");
    KubernetesVolumeWriter.kubelet(plain).writeStrings(Map.of("username", "u", "password", "p"));
    try (ConfigurableApplicationContext bare =
        new SpringApplicationBuilder(Bare.class)
            .web(WebApplicationType.NONE)
            .properties("spring.config.import=secrets:" + plain)
            .run()) {
      assertThat(bare.getBean(SecretStore.class).require("password").asString()).isEqualTo("p");
      assertThat(bare.getBeansOfType(TlsView.class)).isEmpty();
      assertThat(bare.getBeansOfType(CredentialPairView.class)).isEmpty();
    }
  }

  @Test
  void aBundlesTlsViewIsMadeOnlyWhenTheApplicationAsksForIt() throws Exception {
    Path tls = dir.resolve("lazy-tls");
    KubernetesVolumeWriter.kubelet(tls).writeStrings(certificate().tlsSecret());
    try (ConfigurableApplicationContext bare =
        new SpringApplicationBuilder(Bare.class)
            .web(WebApplicationType.NONE)
            .properties("secretsdk.ssl.bundle.lazy.location=" + tls)
            .run()) {
      assertThat(bare.getBeanFactory().containsBeanDefinition("lazyTlsView")).isTrue();
      assertThat(bare.getBeanFactory().containsSingleton("lazyTlsView"))
          .as("the bundle alone parses the volume until a view is asked for")
          .isFalse();

      TlsView view = bare.getBean("lazyTlsView", TlsView.class);

      assertThat(view.current().certificateChain()).isNotEmpty();
      assertThat(bare.getBeanFactory().containsSingleton("lazyTlsView")).isTrue();
    }
  }

  @Test
  void anApplicationBeanOfTheSameNameWins() throws Exception {
    Path plain = dir.resolve("own");
    KubernetesVolumeWriter.kubelet(plain)
        .writeStrings(Map.of("username", "u", "password", "p", "user2", "u2", "pass2", "p2"));
    try (ConfigurableApplicationContext own =
        new SpringApplicationBuilder(OwnPair.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.config.import=secrets:" + plain,
                "secretsdk.credentials.db.location=secrets:" + plain)
            .run()) {
      assertThat(own.getBeansOfType(CredentialPairView.class))
          .containsOnlyKeys("dbCredentialPairView");
      assertThat(own.getBean("dbCredentialPairView", CredentialPairView.class).current().username())
          .isEqualTo("u2");
    }
  }

  @Test
  void aPairWithoutAnImportFailsTheStartNamingWhatToSet() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(Bare.class)
                    .web(WebApplicationType.NONE)
                    .properties("secretsdk.credentials.db.username-key=app.db.username")
                    .run()
                    .close())
        .hasStackTraceContaining("secretsdk.credentials.db needs a secrets: import");
  }

  @Test
  void viewsStopTheirListenersWhenTheContextCloses() throws Exception {
    Path volume = dir.resolve("closing");
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(volume);
    writer.writeStrings(Map.of("username", "u1", "password", "p1"));
    List<CredentialPair> changes = new CopyOnWriteArrayList<>();
    CredentialPairView view;
    try (ConfigurableApplicationContext own =
        new SpringApplicationBuilder(Bare.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.config.import=secrets:" + volume,
                "secretsdk.credentials.basic.location=secrets:" + volume)
            .run()) {
      view = own.getBean("basicCredentialPairView", CredentialPairView.class);
      assertThat(view.current().password()).isEqualTo("p1");
      view.subscribe((old, now) -> changes.add(now));
      writer.writeStrings(Map.of("username", "u2", "password", "p2"));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(changes).hasSize(1));
    }
    // The context closed the view: it takes no more listeners.
    assertThatThrownBy(() -> view.subscribe((old, now) -> changes.add(now)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).password()).isEqualTo("p2");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    Beans beans(
        @Qualifier("web") TlsView web,
        @Qualifier("internal") TlsView internal,
        @Qualifier("db") CredentialPairView db,
        @Qualifier("api") CredentialPairView api) {
      return new Beans(web, internal, db, api);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Bare {}

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class OwnPair {

    @Bean
    CredentialPairView dbCredentialPairView(SecretStore store) {
      return CredentialPairView.of(store, "user2", "pass2");
    }
  }

  /** What an application injects by qualifier. */
  record Beans(TlsView web, TlsView internal, CredentialPairView db, CredentialPairView api) {

    <T> T get(String qualifier, Class<T> type) {
      Object view =
          switch (qualifier) {
            case "web" -> web;
            case "internal" -> internal;
            case "db" -> db;
            case "api" -> api;
            default -> throw new IllegalArgumentException(qualifier);
          };
      return type.cast(view);
    }
  }
}
