package io.secretsdk.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.SecretException;
import io.secretsdk.SecretStore;
import io.secretsdk.testing.Canaries;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSecretsTests {

  @TempDir Path tmp;

  @RegisterExtension
  static final SecretLeakExtension leaks = SecretLeakExtension.create().allLevelsOf("");

  private String canary;
  private String rotatedCanary;
  private LogCapture logs;
  private KubernetesVolumeWriter writer;
  private SecretStore store;
  private final JsonSecrets json = JsonSecrets.create();

  record Pool(int max) {}

  record DbCredentials(String username, String password, Pool pool) {}

  @BeforeEach
  void start(Canaries canaries, LogCapture logs) {
    canary = canaries.next("password");
    rotatedCanary = canaries.next("rotated");
    this.logs = logs;
    writer = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
  }

  private SecretStore storeWith(Map<String, String> items) {
    writer.writeStrings(items);
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();
    return store;
  }

  private void rotate(Map<String, String> items) {
    writer.writeStrings(items);
    store.refresh();
  }

  private String db(String password) {
    return "{\"username\":\"app\",\"password\":\"" + password + "\",\"pool\":{\"max\":5}}";
  }

  @Test
  void readsTheSecretAsTreeRecordAndPointer() {
    storeWith(Map.of("db", db(canary)));

    JsonNode tree = json.tree(store, "db");
    DbCredentials credentials = json.read(store, "db", DbCredentials.class);

    assertThat(tree.path("password").asText()).isEqualTo(canary);
    assertThat(credentials).isEqualTo(new DbCredentials("app", canary, new Pool(5)));
    assertThat(json.at(store, "db", "/pool/max")).map(JsonNode::asInt).contains(5);
    assertThat(json.at(store, "db", "/pool/min")).isEmpty();
  }

  @Test
  void returnedTreesAreCopiesThatCannotCorruptTheCache() {
    storeWith(Map.of("db", db(canary)));

    ((com.fasterxml.jackson.databind.node.ObjectNode) json.tree(store, "db"))
        .put("password", "changed");

    assertThat(json.tree(store, "db").path("password").asText()).isEqualTo(canary);
  }

  @Test
  void expandsAnObjectIntoDottedIndexedProperties() {
    storeWith(
        Map.of(
            "db",
            "{\"username\":\"u\",\"password\":\""
                + canary
                + "\",\"pool\":{\"max\":5,\"ratio\":1.50},"
                + "\"hosts\":[\"a\",\"b\"],\"replicas\":[{\"url\":\"r0\"},{\"url\":\"r1\"}],"
                + "\"tls\":true,\"none\":null,\"empty\":{},\"big\":12345678901234567890}\n"));

    Map<String, String> properties = json.expand(store.require("db"));

    assertThat(properties)
        .containsExactly(
            entry("db.big", "12345678901234567890"),
            entry("db.hosts[0]", "a"),
            entry("db.hosts[1]", "b"),
            entry("db.password", canary),
            entry("db.pool.max", "5"),
            entry("db.pool.ratio", "1.50"),
            entry("db.replicas[0].url", "r0"),
            entry("db.replicas[1].url", "r1"),
            entry("db.tls", "true"),
            entry("db.username", "u"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "\"text\"", "42", "true", "hunter2", "", "  not { json"})
  void nonObjectJsonAndPlainValuesStayOneProperty(String value) {
    storeWith(Map.of("token", value));

    assertThat(json.expand(store.require("token"))).containsExactly(entry("token", value));
  }

  @Test
  void malformedObjectWithoutAGoodPastNamesKeyAndPositionButNotTheContent() {
    storeWith(Map.of("db", "{\"username\":\"u\",\n\"password\":\"" + canary + "\" oops}"));

    assertThatThrownBy(() -> json.expand(store.require("db")))
        .isInstanceOf(JsonSecretException.class)
        .satisfies(
            e -> {
              JsonSecretException j = (JsonSecretException) e;
              assertThat(j.secretName()).isEqualTo("db");
              assertThat(j.line()).isEqualTo(2);
              assertThat(j.column()).isPositive();
              assertThat(j.getCause()).isNull();
            })
        .hasMessageContaining("secret 'db'")
        .hasMessageContaining(writer.volume().toString())
        .hasMessageContaining("line 2, column")
        .message()
        .doesNotContain(canary)
        .doesNotContain("oops");
    assertThat(logs.text()).contains("secret 'db'").contains("line 2");
  }

  @Test
  void rotationToMalformedJsonKeepsTheLastGoodDocument() {
    storeWith(Map.of("db", db(canary)));
    assertThat(json.expand(store.require("db"))).containsEntry("db.password", canary);

    rotate(Map.of("db", "{\"username\":\"app\",\"password\":\"" + rotatedCanary));

    assertThat(json.expand(store.require("db"))).containsEntry("db.password", canary);
    assertThat(json.read(store, "db", DbCredentials.class).password()).isEqualTo(canary);
    assertThat(json.problem("db"))
        .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("secret 'db'")
        .contains("ends before its JSON document is complete")
        .doesNotContain(rotatedCanary);

    rotate(Map.of("db", db(rotatedCanary)));

    assertThat(json.expand(store.require("db"))).containsEntry("db.password", rotatedCanary);
    assertThat(json.problem("db")).isEmpty();
  }

  @Test
  void trailingContentAndDuplicateKeysAreErrors() {
    storeWith(
        Map.of(
            "a",
            "{\"x\":1} {\"y\":2}",
            "b",
            "{\"password\":\"" + canary + "\",\"password\":\"x\"}"));

    assertThatThrownBy(() -> json.tree(store, "a"))
        .isInstanceOf(JsonSecretException.class)
        .hasMessageContaining("secret 'a'");
    assertThatThrownBy(() -> json.tree(store, "b"))
        .isInstanceOf(JsonSecretException.class)
        .hasMessageContaining("secret 'b'")
        .message()
        .doesNotContain(canary);
  }

  @Test
  void bindingErrorNamesTheFieldNeverTheValue() {
    storeWith(
        Map.of(
            "db", "{\"username\":\"u\",\"password\":\"p\",\"pool\":{\"max\":\"" + canary + "\"}}"));

    assertThatThrownBy(() -> json.read(store, "db", DbCredentials.class))
        .isInstanceOf(JsonSecretException.class)
        .hasMessageContaining("secret 'db'")
        .hasMessageContaining("/pool/max")
        .hasMessageContaining(DbCredentials.class.getName())
        .hasNoCause()
        .message()
        .doesNotContain(canary);
  }

  @Test
  void binaryValuesCannotBeExpanded() {
    writer.write(Map.of("blob", new byte[] {(byte) 0xff, (byte) 0xfe, '{'}));
    store = SecretStore.builder().mount(writer.volume()).watch(false).build();

    assertThatThrownBy(() -> json.expand(store.require("blob")))
        .isInstanceOf(SecretException.class)
        .hasMessageContaining("blob");
  }

  @Test
  void forgetsNamesThatLeftTheSnapshot() {
    storeWith(Map.of("a", "{\"x\":1}", "b", "{\"y\":2}"));
    json.tree(store, "a");
    json.tree(store, "b");

    json.retainOnly(List.of("a"));

    assertThat(json.remembered()).isEqualTo(1);
    assertThat(json.toString()).isEqualTo("JsonSecrets[names=1]");
  }

  @Test
  void contentIsReadAsUtf8() {
    storeWith(Map.of("greeting", "{\"text\":\"gr\u00fc\u00df dich\"}"));

    assertThat(json.at(store, "greeting", "/text"))
        .map(JsonNode::asText)
        .contains("gr\u00fc\u00df dich");
  }
}
