package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.secretsdk.CredentialPairView;
import io.secretsdk.SecretSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata the build generates ({@code spring-configuration-metadata.json}, from {@link
 * SecretsProperties} and {@code additional-spring-configuration-metadata.json}) against the
 * property table in {@code docs/spring-boot.md}.
 */
class SecretsConfigurationMetadataTests {

  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z0-9.<>-]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

  /**
   * Where a row documents the members of a map property: {@code secretsdk.credentials.<name>.x}.
   */
  private static final String MAP_KEY = ".<name>.";

  private static Map<String, Map<String, Object>> metadata() throws Exception {
    // The starter's own jar/classes directory: the test classes have generated metadata too.
    Path classes =
        Path.of(
            SecretsProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (InputStream in =
        Files.newInputStream(classes.resolve("META-INF/spring-configuration-metadata.json"))) {
      List<Map<String, Object>> properties =
          JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "$.properties[*]");
      Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
      properties.forEach(p -> byName.put((String) p.get("name"), p));
      return byName;
    }
  }

  /** Property name to the default as the table writes it ({@code null} for "(none)"). */
  private static Map<String, String> documented() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "spring-boot.md"));
    String table = doc.substring(doc.indexOf("## Properties"));
    table = table.substring(0, table.indexOf("\n\n", table.indexOf("| Property |")));
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(table);
    while (m.find()) {
      String cell = m.group(2).trim();
      rows.put(m.group(1), cell.startsWith("`") ? cell.substring(1, cell.indexOf('`', 1)) : null);
    }
    return rows;
  }

  @Test
  void everyDocumentedPropertyIsInTheMetadataWithItsDefaultAndADescription() throws Exception {
    Map<String, Map<String, Object>> metadata = metadata();
    Map<String, String> documented = documented();
    assertThat(documented)
        .containsKeys("secretsdk.import.max-secret-bytes", "management.health.secrets.enabled");
    documented.forEach(
        (name, defaultValue) -> {
          if (name.contains(MAP_KEY)) {
            // The IDE metadata has the map property; the members are its value type's properties.
            String map = name.substring(0, name.indexOf(MAP_KEY));
            assertThat(metadata).as("metadata of " + map).containsKey(map);
            assertThat((String) metadata.get(map).get("description"))
                .as("description of " + map)
                .isNotBlank();
            return;
          }
          assertThat(metadata).as("metadata of " + name).containsKey(name);
          Map<String, Object> entry = metadata.get(name);
          assertThat((String) entry.get("description")).as("description of " + name).isNotBlank();
          Object actual = entry.get("defaultValue");
          if (defaultValue == null) {
            assertThat(actual).as("default of " + name).isNull();
          } else {
            assertThat(String.valueOf(actual))
                .as("default of " + name)
                .isEqualToIgnoringCase(defaultValue);
          }
        });
  }

  @Test
  void everyStarterPropertyIsDocumented() throws Exception {
    Map<String, String> documented = documented();
    metadata().values().stream()
        .filter(
            p -> String.valueOf(p.get("sourceType")).startsWith(SecretsProperties.class.getName()))
        .forEach(
            p -> {
              String name = (String) p.get("name");
              assertThat(
                      documented.containsKey(name)
                          || documented.keySet().stream()
                              .anyMatch(d -> d.startsWith(name + MAP_KEY)))
                  .as("docs/spring-boot.md property table has " + name)
                  .isTrue();
            });
  }

  @Test
  void metadataDefaultsAreTheCoreDefaults() throws Exception {
    Map<String, Map<String, Object>> metadata = metadata();
    assertThat(
            ((Number) metadata.get("secretsdk.import.max-secret-bytes").get("defaultValue"))
                .longValue())
        .isEqualTo(SecretSettings.DEFAULT_MAX_SECRET_BYTES);
    assertThat(metadata.get("secretsdk.import.poll-interval").get("defaultValue"))
        .isEqualTo(SecretSettings.DEFAULT_POLL_SECONDS + "s");
    SecretsProperties.Import defaults = new SecretsProperties().getImport();
    assertThat(defaults.getMaxSecretBytes()).isEqualTo(SecretSettings.DEFAULT_MAX_SECRET_BYTES);
    assertThat(defaults.getPollInterval().getSeconds())
        .isEqualTo(SecretSettings.DEFAULT_POLL_SECONDS);
  }

  @Test
  void credentialPairDefaultsAreTheBasicAuthNamesAndDocumented() throws Exception {
    SecretsProperties.Credentials pair = new SecretsProperties.Credentials();
    assertThat(pair.getUsernameKey()).isEqualTo(CredentialPairView.DEFAULT_USERNAME);
    assertThat(pair.getPasswordKey()).isEqualTo(CredentialPairView.DEFAULT_PASSWORD);
    assertThat(pair.getLocation()).isNull();
    assertThat(documented())
        .containsEntry("secretsdk.credentials.<name>.username-key", pair.getUsernameKey())
        .containsEntry("secretsdk.credentials.<name>.password-key", pair.getPasswordKey())
        .containsEntry("secretsdk.credentials.<name>.location", null);
  }
}
