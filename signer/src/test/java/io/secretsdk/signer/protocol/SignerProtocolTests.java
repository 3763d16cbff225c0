package io.secretsdk.signer.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.signer.HmacAlgorithm;
import io.secretsdk.signer.KeyStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one codec both ends use: everything it writes, it reads back exactly; what it refuses, it
 * says why.
 */
class SignerProtocolTests {

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static ProtocolRequest decode(byte[] body, boolean verify) throws ProtocolException {
    return SignerProtocol.decodeRequest(body, 0, body.length, verify, 10_000);
  }

  private static ProtocolException refused(String body, boolean verify) {
    return catchThrowableOfType(ProtocolException.class, () -> decode(bytes(body), verify));
  }

  @Test
  void signRequestsRoundTripForRandomMessagesAlgorithmsAndBatchSizes() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      int n = random.nextInt(5) + 1;
      boolean batch = n > 1 || random.nextBoolean();
      List<byte[]> messages = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] m = new byte[random.nextInt(300)];
        random.nextBytes(m);
        messages.add(m);
      }
      HmacAlgorithm algorithm = HmacAlgorithm.values()[random.nextInt(3)];
      byte[] body = SignerProtocol.encodeSignRequest(messages, batch, algorithm);
      ProtocolRequest decoded = decode(body, false);
      assertThat(decoded.batch()).isEqualTo(batch);
      assertThat(decoded.signatures()).isNull();
      assertThat(decoded.inputs()).hasSize(n);
      for (int i = 0; i < n; i++) {
        assertThat(decoded.inputs().get(i)).isEqualTo(messages.get(i));
      }
      assertThat(SignerProtocol.algorithm(null, decoded.algorithm())).isEqualTo(algorithm);
    }
  }

  @Test
  void verifyRequestsRoundTripAnySignatureText() throws Exception {
    List<String> signatures =
        Arrays.asList(
            "v1:abcdefghijkl:xyz",
            "quote \" backslash \\ slash /",
            "control \n\r\t\u0000\u001f\u007f",
            "unicode é ✓ 😀",
            "",
            null);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < signatures.size(); i++) {
      messages.add(bytes("m" + i));
    }
    ProtocolRequest batch =
        decode(SignerProtocol.encodeVerifyRequest(messages, signatures, true), true);
    assertThat(batch.batch()).isTrue();
    List<String> expected = new ArrayList<>(signatures);
    expected.set(expected.size() - 1, "");
    assertThat(batch.signatures()).isEqualTo(expected);
    for (int i = 0; i < signatures.size(); i++) {
      ProtocolRequest single =
          decode(
              SignerProtocol.encodeVerifyRequest(
                  List.of(messages.get(i)), Arrays.asList(signatures.get(i)), false),
              true);
      assertThat(single.batch()).isFalse();
      assertThat(single.signatures()).containsExactly(expected.get(i));
      assertThat(single.inputs().get(0)).isEqualTo(messages.get(i));
    }
  }

  @Test
  void answersRoundTrip() throws Exception {
    List<String> sigs = List.of("v1:AAAAAAAAAAAA:abc", "v1:BBBBBBBBBBBB:d-_");
    byte[] single = SignerProtocol.encodeSignResponse(sigs.subList(0, 1), false);
    assertThat(new String(single, UTF_8)).isEqualTo("{\"hmac\":\"v1:AAAAAAAAAAAA:abc\"}");
    assertThat(SignerProtocol.decodeSignResponse(single, 0, single.length, 1, false))
        .isEqualTo(sigs.subList(0, 1));
    byte[] batch = SignerProtocol.encodeSignResponse(sigs, true);
    assertThat(SignerProtocol.decodeSignResponse(batch, 0, batch.length, 2, true)).isEqualTo(sigs);
    byte[] valid = SignerProtocol.encodeVerifyResponse(List.of(true, false, true), true);
    assertThat(new String(valid, UTF_8))
        .isEqualTo("{\"batch_results\":[{\"valid\":true},{\"valid\":false},{\"valid\":true}]}");
    assertThat(SignerProtocol.decodeVerifyResponse(valid, 0, valid.length, 3, true))
        .containsExactly(true, false, true);
    byte[] one = SignerProtocol.encodeVerifyResponse(List.of(false), false);
    assertThat(SignerProtocol.decodeVerifyResponse(one, 0, one.length, 1, false))
        .containsExactly(false);
    // A region of a larger buffer, as the client reads it.
    byte[] framed =
        ("HTTP/1.1 200 OK\r\n\r\n" + new String(single, UTF_8) + "trailing").getBytes(UTF_8);
    assertThat(SignerProtocol.decodeSignResponse(framed, 19, single.length, 1, false))
        .isEqualTo(sigs.subList(0, 1));
  }

  @Test
  void errorsRoundTripAndForeignBodiesSaySo() {
    String message = "no signing key named 'we\"ird \\ é'";
    byte[] body = SignerProtocol.encodeError(message);
    assertThat(SignerProtocol.decodeError(body, 0, body.length)).isEqualTo(message);
    byte[] control = SignerProtocol.encodeError("line\nbreak");
    assertThat(new String(control, UTF_8)).isEqualTo("{\"errors\":[\"line\\u000abreak\"]}");
    assertThat(SignerProtocol.decodeError(control, 0, control.length)).isEqualTo("line?break");
    byte[] html = bytes("<h1>400 Bad Request</h1>");
    assertThat(SignerProtocol.decodeError(html, 0, html.length))
        .isEqualTo("(no error message in the answer)");
  }

  @Test
  void healthListsIdsAndProblemsOnly() {
    byte[] body =
        SignerProtocol.encodeHealth(
            List.of(
                new KeyStatus(
                    "a", "AAAAAAAAAAAA", List.of("PPPPPPPPPPPP"), List.of("VVVVVVVVVVVV"), null),
                new KeyStatus(
                    "b", null, List.of(), List.of(), "signing key 'b' is unusable: it is empty")));
    assertThat(new String(body, UTF_8))
        .isEqualTo(
            "{\"status\":\"ok\",\"keys\":[{\"name\":\"a\",\"key_id\":\"AAAAAAAAAAAA\",\"previous_key_ids\":[\"PPPPPPPPPPPP\"],"
                + "\"verify_only_key_ids\":[\"VVVVVVVVVVVV\"]},{\"name\":\"b\",\"problem\":\"signing key 'b' is unusable: it is empty\"}]}");
    assertThat(new String(SignerProtocol.encodeHealth(List.of()), UTF_8))
        .isEqualTo("{\"status\":\"no usable keys\",\"keys\":[]}");
  }

  @Test
  void unknownMembersOfAnyShapeAreSkipped() throws Exception {
    ProtocolRequest r =
        decode(
            bytes(
                " {\"key_version\": 3, \"context\": {\"a\": [1, -2.5e+3, true, false, null, {\"x\": \"\\u00e9\"}]}, \"input\" : \"aGk=\" } "),
            false);
    assertThat(r.inputs().get(0)).isEqualTo(bytes("hi"));
    assertThat(
            decode(bytes("{\"batch_input\":[{\"input\":\"aGk=\",\"extra\":[[]]}]}"), false)
                .inputs())
        .hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"input\":",
        "not json",
        "{\"input\":\"aGk=\"} trailing",
        "{\"input\":\"aGk=\",\"input\":\"aGk=\"}",
        "{\"input\":\"aGk=\",}",
        "{\"input\":\"a\\qb\"}",
        "{\"input\":\"aGk=\" \"x\":1}",
        "{\"input\":01}",
        "{'input':'aGk='}",
        "",
      })
  void malformedJsonIs400WithAPositionAndNoExcerpt(String body) {
    ProtocolException e = refused(body, false);
    assertThat(e.status()).as(body).isEqualTo(400);
    if (body.length() > 12) {
      assertThat(e.getMessage()).doesNotContain(body.substring(2, 12));
    }
  }

  @Test
  void shapesAreChecked() {
    assertThat(refused("[1,2]", false).getMessage())
        .isEqualTo("the request body must be a JSON object");
    assertThat(refused("{\"input\":42}", false).getMessage()).isEqualTo("input must be a string");
    assertThat(refused("{}", false).getMessage()).startsWith("missing field: input");
    assertThat(refused("{\"input\":\"\"}", true).getMessage()).startsWith("missing field: hmac");
    assertThat(refused("{\"input\":\"\",\"batch_input\":[]}", false).getMessage())
        .isEqualTo("give either input or batch_input, not both");
    assertThat(refused("{\"batch_input\":{}}", false).getMessage())
        .isEqualTo("batch_input must be an array of objects");
    assertThat(refused("{\"batch_input\":[1]}", false).getMessage())
        .isEqualTo("batch_input[0] must be an object");
    assertThat(refused("{\"batch_input\":[{\"input\":\"%%%\"}]}", false).getMessage())
        .isEqualTo("batch_input[0].input is not valid base64");
    assertThat(refused("{\"input\":\"!!\"}", false).getMessage())
        .isEqualTo("input is not valid base64");
    ProtocolException tooMany =
        catchThrowableOfType(
            ProtocolException.class,
            () ->
                SignerProtocol.decodeRequest(
                    bytes("{\"batch_input\":[{\"input\":\"\"},{\"input\":\"\"}]}"),
                    0,
                    41,
                    false,
                    1));
    assertThat(tooMany.status()).isEqualTo(413);
    assertThat(refused("{\"input\":\"" + "\u00ff" + "\"}", false).status())
        .as("invalid UTF-8 is not JSON")
        .isEqualTo(400);
  }

  @Test
  void nestingIsBounded() throws Exception {
    String deep = "{\"x\":" + "[".repeat(70) + "]".repeat(70) + ",\"input\":\"\"}";
    assertThat(refused(deep, false).getMessage()).contains("nested deeper than 64 levels");
    String ok = "{\"x\":" + "[".repeat(60) + "]".repeat(60) + ",\"input\":\"\"}";
    assertThat(decode(bytes(ok), false).inputs().get(0)).isEmpty();
  }

  @Test
  void malformedAnswersAreReportedNotGuessed() {
    assertThat(
            catchThrowableOfType(
                ProtocolException.class,
                () ->
                    SignerProtocol.decodeSignResponse(
                        bytes("{\"unexpected\":1}"), 0, 16, 1, false)))
        .hasMessage("no hmac field")
        .extracting(ProtocolException::status)
        .isEqualTo(ProtocolException.MALFORMED_ANSWER);
    byte[] one = bytes("{\"batch_results\":[{\"hmac\":\"a\"}]}");
    assertThat(
            catchThrowableOfType(
                ProtocolException.class,
                () -> SignerProtocol.decodeSignResponse(one, 0, one.length, 2, true)))
        .hasMessage("expected 2 batch results, got 1");
    byte[] html = bytes("<html>");
    assertThat(
            catchThrowableOfType(
                ProtocolException.class,
                () -> SignerProtocol.decodeSignResponse(html, 0, html.length, 1, false)))
        .hasMessage("malformed JSON");
    byte[] wrongType = bytes("{\"valid\":\"yes\"}");
    assertThat(
            catchThrowableOfType(
                ProtocolException.class,
                () ->
                    SignerProtocol.decodeVerifyResponse(wrongType, 0, wrongType.length, 1, false)))
        .hasMessage("valid is not a boolean");
  }

  @Test
  void keyNamesRoundTripThroughThePath() throws Exception {
    Random random = new Random(3);
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(12);
      for (int j = 0; j < len; j++) {
        sb.appendCodePoint(
            random.nextBoolean() ? 0x20 + random.nextInt(0x5f) : 0xa0 + random.nextInt(0x2000));
      }
      String name = sb.toString();
      String path = SignerProtocol.path(random.nextBoolean(), name);
      ProtocolRoute route = ProtocolRoute.of("POST", path);
      assertThat(route.keyName()).isEqualTo(name);
      assertThat(path.substring(1)).doesNotContain("/v1/x").matches("[A-Za-z0-9._~%/-]+");
    }
    assertThat(ProtocolRoute.of("POST", "/v1/hmac/webhook/sha2-512").pathAlgorithm())
        .isEqualTo("sha2-512");
    assertThat(ProtocolRoute.of("HEAD", "/v1/health").head()).isTrue();
    assertThat(
            catchThrowableOfType(
                    ProtocolException.class, () -> ProtocolRoute.of("GET", "/v1/hmac/k"))
                .allow())
        .isEqualTo("POST");
    assertThat(
            catchThrowableOfType(
                    ProtocolException.class, () -> ProtocolRoute.of("POST", "/v1/health"))
                .allow())
        .isEqualTo("GET, HEAD");
    assertThat(
            catchThrowableOfType(
                    ProtocolException.class, () -> ProtocolRoute.of("POST", "/v1/hmac/%zz"))
                .status())
        .isEqualTo(404);
    assertThat(
            catchThrowableOfType(
                    ProtocolException.class, () -> ProtocolRoute.of("POST", "/v2/hmac/k"))
                .status())
        .isEqualTo(404);
  }

  @Test
  void jsonContentTypesAreRecognised() {
    assertThat(SignerProtocol.isJson("application/json")).isTrue();
    assertThat(SignerProtocol.isJson("Application/JSON; charset=utf-8")).isTrue();
    assertThat(SignerProtocol.isJson("application/vnd.api+json")).isTrue();
    assertThat(SignerProtocol.isJson("text/plain")).isFalse();
    assertThat(SignerProtocol.isJson(null)).isFalse();
    assertThat(SignerProtocol.notJson(null).status()).isEqualTo(415);
  }
}
