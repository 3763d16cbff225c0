package io.secretsdk.signer;

import io.secretsdk.signer.protocol.ProtocolException;
import io.secretsdk.signer.protocol.SignerProtocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The previous sidecar client, kept only as the benchmark's baseline: the JDK's {@link HttpClient}
 * (HTTP/1.1, keep-alive, {@code send} on the calling thread, body deadlines by {@link
 * BodyDeadlines}) with the same protocol codec. TCP only. Not a product: no retries.
 */
final class JdkHttpClientSigner implements Signer {

  private final String base;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .proxy(java.net.ProxySelector.of(null))
          .build();
  private final BodyDeadlines deadlines = new BodyDeadlines("jdk-httpclient-deadlines");
  private final HttpResponse.BodyHandler<byte[]> handler =
      deadlines.ofByteArray(Duration.ofSeconds(5));

  JdkHttpClientSigner(String base) {
    this.base = base;
  }

  private byte[] post(boolean verify, String key, byte[] body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + SignerProtocol.path(verify, key)))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<byte[]> r = client.send(request, handler);
      if (r.statusCode() != 200) {
        throw new SignerUnavailableException("HTTP " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new SignerUnavailableException("baseline client: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignerUnavailableException("interrupted", e);
    }
  }

  @Override
  public String sign(String keyName, byte[] message, HmacAlgorithm algorithm) {
    byte[] b =
        post(false, keyName, SignerProtocol.encodeSignRequest(List.of(message), false, algorithm));
    return decode(() -> SignerProtocol.decodeSignResponse(b, 0, b.length, 1, false)).get(0);
  }

  @Override
  public List<String> signBatch(String keyName, List<byte[]> messages, HmacAlgorithm algorithm) {
    byte[] b = post(false, keyName, SignerProtocol.encodeSignRequest(messages, true, algorithm));
    return decode(() -> SignerProtocol.decodeSignResponse(b, 0, b.length, messages.size(), true));
  }

  @Override
  public boolean verify(String keyName, byte[] message, String signature) {
    byte[] b =
        post(
            true,
            keyName,
            SignerProtocol.encodeVerifyRequest(List.of(message), List.of(signature), false));
    return decode(() -> SignerProtocol.decodeVerifyResponse(b, 0, b.length, 1, false)).get(0);
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    byte[] b = post(true, keyName, SignerProtocol.encodeVerifyRequest(messages, signatures, true));
    return decode(() -> SignerProtocol.decodeVerifyResponse(b, 0, b.length, messages.size(), true));
  }

  private interface Decode<T> {
    T get() throws ProtocolException;
  }

  private static <T> T decode(Decode<T> d) {
    try {
      return d.get();
    } catch (ProtocolException e) {
      throw new SignerUnavailableException("unexpected answer: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    deadlines.close();
  }
}
