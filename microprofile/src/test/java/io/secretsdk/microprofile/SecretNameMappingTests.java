package io.secretsdk.microprofile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SecretNameMappingTests {

  private static SecretNameMapping mapping(String... namesAndValues) {
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return new SecretNameMapping(map);
  }

  @Test
  void dottedPropertyFindsEnvironmentStyleAndDashedNames() {
    SecretNameMapping m = mapping("DB_PASSWORD", "a", "api-token", "b", "mail_user", "c");

    assertThat(m.find("db.password")).isEqualTo("a");
    assertThat(m.find("api.token")).isEqualTo("b");
    assertThat(m.find("mail.user")).isEqualTo("c");
  }

  @Test
  void environmentStylePropertyFindsDottedNames() {
    SecretNameMapping m = mapping("db.password", "a", "my-group.my-username", "b");

    assertThat(m.find("DB_PASSWORD")).isEqualTo("a");
    assertThat(m.find("db_password")).isEqualTo("a");
    assertThat(m.find("MY_GROUP_MY_USERNAME")).isEqualTo("b");
    assertThat(m.nameFor("MY_GROUP_MY_USERNAME")).isEqualTo("my-group.my-username");
  }

  @Test
  void namesThatDifferOtherwiseDoNotMatch() {
    SecretNameMapping m = mapping("db.password", "a");

    assertThat(m.find("db.passwords")).isNull();
    assertThat(m.find("dbpassword")).isNull();
    assertThat(m.find("db.passwort")).isNull();
    assertThat(m.find("")).isNull();
  }

  @Test
  void firstNameInSortedOrderWinsWhenNamesCollide() {
    SecretNameMapping m =
        mapping("db-password", "dash", "DB_PASSWORD", "upper", "db.password", "dot");

    // "DB_PASSWORD" < "db-password" < "db.password"
    assertThat(m.find("Db.Password")).isEqualTo("upper");
    assertThat(m.nameFor("db_password")).isEqualTo("DB_PASSWORD");
  }

  @Test
  void everyNameOfALargeSnapshotIsFound() {
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < 5000; i++) {
      map.put("group" + (i % 37) + ".key-" + i, "v" + i);
    }
    SecretNameMapping m = new SecretNameMapping(map);

    for (int i = 0; i < 5000; i++) {
      assertThat(m.find("GROUP" + (i % 37) + "_KEY_" + i)).isEqualTo("v" + i);
    }
    assertThat(m.find("GROUP1_KEY_5000")).isNull();
    assertThat(mapping().find("anything")).isNull();
  }
}
