package io.secretsdk.examples.microprofile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.secretsdk.SecretStore;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole service in Quarkus JVM mode, over volumes rotated the way the kubelet does it. The
 * password a test rotates to is a canary of {@link SecretLeakExtension}, which fails the test if it
 * shows in a log record (Quarkus logs through JBoss LogManager, which is {@code java.util.logging})
 * or in an exception; the first password is written before the application starts, so it is checked
 * against the application's whole log file once all tests ran.
 */
@QuarkusTest
@QuarkusTestResource(SecretVolumes.class)
class MicroprofileAppTests {

  @RegisterExtension static final SecretLeakExtension LEAKS = SecretLeakExtension.create();

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static String rotatedPassword;

  @TestHTTPResource("/")
  URL base;

  @Inject SecretStore store;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
            .timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String username, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static KubernetesVolumeWriter volume(String property) {
    return KubernetesVolumeWriter.kubelet(Path.of(System.getProperty(property)));
  }

  @Test
  void theBasicAuthPairFollowsRotationWithoutARestart(Canaries canaries) throws Exception {
    rotatedPassword = canaries.next("password");
    String first = SecretVolumes.firstPassword();
    assertThat(get("admin/credentials", basic("ops", first)).statusCode()).isEqualTo(200);
    assertThat(get("admin/credentials", basic("ops", "wrong")).statusCode()).isEqualTo(401);
    long before = store.snapshot().revision();

    volume(SecretVolumes.ADMIN_DIR)
        .writeStrings(Map.of("username", "ops2", "password", rotatedPassword));

    await()
        .atMost(PATIENCE)
        .until(() -> get("admin/credentials", basic("ops2", rotatedPassword)).statusCode() == 200);
    assertThat(get("admin/credentials", basic("ops", first)).statusCode()).isEqualTo(401);
    assertThat(get("admin/credentials", basic("ops2", first)).statusCode())
        .as("never new user with old password")
        .isEqualTo(401);
    HttpResponse<String> info = get("admin/credentials", basic("ops2", rotatedPassword));
    assertThat(info.body())
        .contains("username=ops2")
        .contains("rotations=1")
        .doesNotContain(rotatedPassword);
    assertThat(store.snapshot().revision()).isGreaterThan(before);
    await()
        .atMost(PATIENCE)
        .alias("the SecretsChanged event reached the application's observer")
        .until(
            () ->
                get("admin/credentials", basic("ops2", rotatedPassword))
                    .body()
                    .contains("secrets-revision=" + store.snapshot().revision()));
  }

  @Test
  void jsonSettingsAreExpandedAndReadLiveThroughProviderAndConfigProvider() throws Exception {
    assertThat(get("greeting", null).body()).isEqualTo("hello (limit 5 rps)");

    volume(SecretVolumes.APP_DIR)
        .writeStrings(Map.of("settings", "{\"greeting\":\"bonjour\",\"limits\":{\"rps\":7}}"));

    await()
        .atMost(PATIENCE)
        .until(() -> get("greeting", null).body().equals("bonjour (limit 7 rps)"));
  }

  @Test
  void readinessIncludesTheSecretsCheck() throws Exception {
    HttpResponse<String> ready = get("q/health/ready", null);

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body())
        .contains("\"name\": \"secretsdk\"")
        .contains("snapshotAgeSeconds")
        .contains("\"status\": \"UP\"");
    assertThat(ready.body()).doesNotContain(SecretVolumes.firstPassword());
    if (rotatedPassword != null) {
      assertThat(ready.body()).doesNotContain(rotatedPassword);
    }
  }

  @AfterAll
  static void noSecretValueWasLogged() throws IOException {
    Path log = Path.of("target/quarkus-test.log");
    assertThat(log).exists();
    String text = Files.readString(log);
    assertThat(text).doesNotContain(SecretVolumes.firstPassword());
    if (rotatedPassword != null) {
      assertThat(text).doesNotContain(rotatedPassword);
    }
  }
}
