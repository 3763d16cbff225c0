package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code secrets} actuator endpoint: for every imported location, the names it serves, where
 * each came from, the snapshot revision and when it was loaded. Never values, nor their lengths.
 *
 * <p>Thread-safe: every read takes one snapshot per store.
 */
@Endpoint(id = "secrets")
public final class SecretsEndpoint {

  private final SecretsImports imports;

  /** An endpoint describing the stores of {@code imports}. */
  public SecretsEndpoint(SecretsImports imports) {
    this.imports = imports;
  }

  /** Every imported location with its names and origins. */
  @ReadOperation
  public SecretsDescriptor secrets() {
    List<ImportDescriptor> result = new ArrayList<>();
    for (Map.Entry<String, SecretStore> entry : imports.stores().entrySet()) {
      SecretSnapshot snapshot = entry.getValue().snapshot();
      List<SecretDescriptor> secrets = new ArrayList<>(snapshot.size());
      for (String name : snapshot.names()) {
        Secret secret = snapshot.find(name);
        if (secret != null) {
          secrets.add(new SecretDescriptor(name, secret.origin().toString()));
        }
      }
      result.add(
          new ImportDescriptor(
              entry.getKey(), snapshot.revision(), snapshot.loadedAt().toString(), secrets));
    }
    return new SecretsDescriptor(result);
  }

  /**
   * The endpoint's response.
   *
   * @param imports one entry per imported location, in import order
   */
  public record SecretsDescriptor(List<ImportDescriptor> imports) {

    /** Copies the list. */
    public SecretsDescriptor {
      imports = List.copyOf(imports);
    }
  }

  /**
   * One imported location.
   *
   * @param location as written in {@code spring.config.import}, without {@code optional:}
   * @param revision the current snapshot's revision
   * @param loadedAt when the current snapshot was published (ISO-8601)
   * @param secrets the names it serves, sorted
   */
  public record ImportDescriptor(
      String location, long revision, String loadedAt, List<SecretDescriptor> secrets) {

    /** Copies the list. */
    public ImportDescriptor {
      secrets = List.copyOf(secrets);
    }
  }

  /**
   * One secret, without its value.
   *
   * @param name the property name
   * @param origin where the value came from, for example {@code file:/etc/secrets/db/password}
   */
  public record SecretDescriptor(String name, String origin) {}
}
