package io.secretsdk.signer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shared pieces of the signer and sidecar tests: a settable clock, canaries and raw HTTP (public
 * for the sidecar module's tests).
 */
public final class SignerTestSupport {

  private SignerTestSupport() {}

  /** A canary key: at least 32 bytes, unique, easy to search for in any output. */
  public static String canary() {
    return "canary-" + UUID.randomUUID();
  }

  /** Every form in which key bytes could leak: raw, base64, base64url, hex. */
  public static List<String> leakForms(String key) {
    byte[] b = key.getBytes(UTF_8);
    return List.of(
        key,
        Base64.getEncoder().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        HexFormat.of().formatHex(b),
        // a distinctive slice, in case something truncates
        key.substring(7, 27));
  }

  public static void assertNoLeak(String text, String... keys) {
    for (String key : keys) {
      for (String form : leakForms(key)) {
        assertThat(text).as("output must not contain key bytes").doesNotContain(form);
      }
    }
  }

  /** The key id the format promises, computed independently of the library. */
  public static String expectedKeyId(byte[] key) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] full = mac.doFinal("secretsdk/signer/key-id/v1".getBytes(US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(full, 9));
  }

  /** {@code v1:<id>:<base64url HMAC>}, computed independently of the library. */
  public static String expectedSignature(byte[] key, byte[] message, String jcaName)
      throws Exception {
    Mac mac = Mac.getInstance(jcaName);
    mac.init(new SecretKeySpec(key, jcaName));
    return "v1:"
        + expectedKeyId(key)
        + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(message));
  }

  public static String expectedSignature(String key, String message) throws Exception {
    return expectedSignature(key.getBytes(UTF_8), message.getBytes(UTF_8), "HmacSHA256");
  }

  /** A clock tests move by hand. */
  public static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

    public void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Raw HTTP against the sidecar, remembering every answer so tests can search them for leaks. */
  public static final class RawHttp {
    private final HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;
    public final List<String> answers = new CopyOnWriteArrayList<>();

    public RawHttp(URI base) {
      this.base = base;
    }

    public HttpResponse<String> send(String method, String path, String contentType, byte[] body)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      answers.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
      return r;
    }

    public HttpResponse<String> post(String path, String json) throws Exception {
      return send("POST", path, "application/json", json.getBytes(UTF_8));
    }

    public HttpResponse<String> get(String path) throws Exception {
      return send("GET", path, null, null);
    }

    public String all() {
      return String.join("\n", answers);
    }
  }

  public static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
  }
}
