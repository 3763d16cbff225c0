package io.secretsdk.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses every manifest in {@code examples/kubernetes} and checks it against what the example
 * applications read: the mount paths of the imports and the SSL bundle, the Secret types and keys,
 * the {@code items} paths, the read-only whole-volume mounts, the signer key mounted only in the
 * sidecar, and the probes on the health endpoints.
 */
class KubernetesManifestsTests {

  static final Path MANIFESTS = Path.of("..", "kubernetes");
  static final Pattern IMPORT =
      Pattern.compile("secrets:\\$\\{app\\.secrets-dir:(/[^}]+)}/([a-z]+)/\\[prefix=([a-z.]+)]");

  static final Map<Path, List<Map<String, Object>>> DOCUMENTS = new LinkedHashMap<>();

  @BeforeAll
  static void parseEveryManifest() throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    try (Stream<Path> files = Files.walk(MANIFESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
          for (Object doc : yaml.loadAll(reader)) {
            docs.add(map(doc));
          }
        }
        DOCUMENTS.put(file, docs);
      }
    }
  }

  @Test
  void everyManifestParsesAndNamesItsKind() {
    assertThat(DOCUMENTS).hasSizeGreaterThanOrEqualTo(8);
    DOCUMENTS.forEach(
        (file, docs) -> {
          assertThat(docs).as(file.toString()).isNotEmpty();
          for (Map<String, Object> doc : docs) {
            assertThat(doc).as(file.toString()).containsKeys("apiVersion", "kind");
            if (!doc.get("kind").equals("Kustomization")) {
              assertThat(map(doc.get("metadata"))).as(file.toString()).containsKey("name");
            }
          }
        });
  }

  @Test
  void springAppMountsEveryDirectoryItImportsReadOnlyAndWhole() throws IOException {
    Properties app = properties("application.properties");
    Properties tls = properties("application-tls.properties");
    Map<String, String> imports = new LinkedHashMap<>();
    Matcher m = IMPORT.matcher(app.getProperty("spring.config.import"));
    while (m.find()) {
      imports.put(m.group(1) + "/" + m.group(2), m.group(3));
    }
    assertThat(imports).containsOnlyKeys("/etc/secrets/db", "/etc/secrets/api");
    String tlsDir =
        tls.getProperty("secretsdk.ssl.bundle.web.location")
            .replace("${app.secrets-dir:/etc/secrets}", "/etc/secrets");

    Map<String, Object> pod = podSpec("spring-boot-app/deployment.yaml", "orders");
    Map<String, Object> container = container(pod, "app");
    Map<String, Map<String, Object>> mounts = mounts(container);
    assertThat(mounts.keySet())
        .containsExactlyInAnyOrder("/etc/secrets/db", "/etc/secrets/api", tlsDir);
    mounts
        .values()
        .forEach(
            mount ->
                assertThat(mount).containsEntry("readOnly", true).doesNotContainKey("subPath"));

    // db: a basic-auth Secret; the app binds app.datasource.username/password.
    Map<String, Object> db = secretVolume(pod, mounts.get("/etc/secrets/db"));
    Map<String, Object> dbSecret =
        secret("spring-boot-app/secrets.yaml", (String) db.get("secretName"));
    assertThat(dbSecret).containsEntry("type", "kubernetes.io/basic-auth");
    assertThat(keys(dbSecret)).containsExactlyInAnyOrder("username", "password");
    String dbPrefix =
        DatabaseCredentials.class.getAnnotation(ConfigurationProperties.class).value() + ".";
    assertThat(imports.get("/etc/secrets/db")).isEqualTo(dbPrefix);

    // api: an Opaque Secret, items mapping a key to a nested path and keeping a dotfile.
    Map<String, Object> api = secretVolume(pod, mounts.get("/etc/secrets/api"));
    Map<String, Object> apiSecret =
        secret("spring-boot-app/secrets.yaml", (String) api.get("secretName"));
    Map<String, String> items = new LinkedHashMap<>();
    for (Object item : (List<?>) api.get("items")) {
      items.put((String) map(item).get("key"), (String) map(item).get("path"));
    }
    assertThat(keys(apiSecret))
        .containsAll(items.keySet())
        .anyMatch(key -> key.startsWith(".") && !key.startsWith(".."));
    Set<String> apiProperties = new TreeSet<>();
    items
        .values()
        .forEach(
            path -> apiProperties.add(imports.get("/etc/secrets/api") + path.replace('/', '.')));
    String apiPrefix = ApiKeys.class.getAnnotation(ConfigurationProperties.class).value() + ".";
    assertThat(apiProperties)
        .containsExactlyInAnyOrder(
            apiPrefix + "payments.key", IntegrationsController.REGISTRY_TOKEN);

    // tls: a kubernetes.io/tls Secret, or cert-manager's Certificate writing one of that name.
    String tlsName = (String) secretVolume(pod, mounts.get(tlsDir)).get("secretName");
    assertThat(secret("spring-boot-app/tls-secret.yaml", tlsName))
        .containsEntry("type", "kubernetes.io/tls");
    assertThat(keys(secret("spring-boot-app/tls-secret.yaml", tlsName)))
        .contains("tls.crt", "tls.key");
    assertThat(
            map(document("spring-boot-app/certificate.yaml", "Certificate", tlsName).get("spec")))
        .containsEntry("secretName", tlsName);

    // probes on the actuator's health groups, on the management port.
    assertThat(map(map(container.get("readinessProbe")).get("httpGet")))
        .containsEntry("path", "/actuator/health/readiness")
        .containsEntry("port", "management");
    assertThat(map(map(container.get("livenessProbe")).get("httpGet")))
        .containsEntry("path", "/actuator/health/liveness");
    assertThat(app.getProperty("management.endpoint.health.group.readiness.include"))
        .contains("secrets");
    assertThat(ports(container))
        .containsEntry("management", Integer.valueOf(tls.getProperty("management.server.port")))
        .containsEntry("https", Integer.valueOf(tls.getProperty("server.port")));
  }

  @Test
  void signingKeyIsMountedOnlyInTheSidecar() {
    Map<String, Object> pod = podSpec("spring-boot-app/deployment.yaml", "orders");
    Map<String, Object> signer = container(pod, "signer");
    Map<String, Map<String, Object>> signerMounts = mounts(signer);
    assertThat(signerMounts).containsOnlyKeys("/etc/signer/keys");
    Map<String, Object> keyMount = signerMounts.get("/etc/signer/keys");
    assertThat(keyMount).containsEntry("readOnly", true).doesNotContainKey("subPath");
    assertThat(strings(signer.get("args")))
        .containsSequence("--keys-dir", "/etc/signer/keys")
        .contains("127.0.0.1:8787");
    assertThat(mounts(container(pod, "app")).values())
        .noneMatch(mount -> mount.get("name").equals(keyMount.get("name")));
    assertThat(env(container(pod, "app")))
        .containsEntry("SECRETSDK_SIGNER_MODE", "sidecar")
        .containsEntry("SECRETSDK_SIGNER_SIDECAR_URL", "http://127.0.0.1:8787");
  }

  @Test
  void microprofileAppMountsWhatItsMountsVariableNames() {
    Map<String, Object> pod = podSpec("microprofile-app/deployment.yaml", "microprofile-app");
    Map<String, Object> container = container(pod, "app");
    Map<String, Map<String, Object>> mounts = mounts(container);
    Map<String, String> declared = new LinkedHashMap<>();
    for (String entry : env(container).get("SECRETSDK_MOUNTS").split(",")) {
      declared.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
    }
    assertThat(declared)
        .containsEntry("/etc/secrets/admin", "admin")
        .containsEntry("/etc/secrets/app", "app[json=expand]");
    assertThat(mounts.keySet()).containsExactlyInAnyOrderElementsOf(declared.keySet());
    mounts
        .values()
        .forEach(
            mount ->
                assertThat(mount).containsEntry("readOnly", true).doesNotContainKey("subPath"));

    Map<String, Object> admin =
        secret(
            "microprofile-app/secrets.yaml",
            (String) secretVolume(pod, mounts.get("/etc/secrets/admin")).get("secretName"));
    assertThat(admin).containsEntry("type", "kubernetes.io/basic-auth");
    assertThat(keys(admin)).containsExactlyInAnyOrder("username", "password");
    Map<String, Object> settings =
        secret(
            "microprofile-app/secrets.yaml",
            (String) secretVolume(pod, mounts.get("/etc/secrets/app")).get("secretName"));
    assertThat(keys(settings)).containsExactly("settings");
    assertThat((String) map(settings.get("stringData")).get("settings"))
        .startsWith("{")
        .endsWith("}");
    assertThat(map(map(container.get("readinessProbe")).get("httpGet")))
        .containsEntry("path", "/q/health/ready");
    assertThat(map(map(container.get("livenessProbe")).get("httpGet")))
        .containsEntry("path", "/q/health/live");
  }

  @Test
  void microprofileAppReadsOnlyNamesTheManifestsProvide() throws IOException {
    Path app = Path.of("..", "microprofile-app");
    Map<String, Object> pod = podSpec("microprofile-app/deployment.yaml", "microprofile-app");
    Map<String, Object> container = container(pod, "app");
    String mountsVariable = env(container).get("SECRETSDK_MOUNTS");
    // The names the manifests provide: prefix + key, and for [json=expand] every field path.
    Set<String> provided = new TreeSet<>();
    for (String entry : mountsVariable.split(",")) {
      String path = entry.substring(0, entry.indexOf('='));
      String prefix = entry.substring(entry.indexOf('=') + 1).replace("[json=expand]", "") + ".";
      Map<String, Object> secret =
          secret(
              "microprofile-app/secrets.yaml",
              (String) secretVolume(pod, mounts(container).get(path)).get("secretName"));
      for (String key : keys(secret)) {
        provided.add(prefix + key);
        if (entry.endsWith("[json=expand]")) {
          Object json =
              new Yaml(new SafeConstructor(new LoaderOptions()))
                  .load((String) map(secret.get("stringData")).get(key));
          fieldPaths(prefix + key, json, provided);
        }
      }
    }
    // The names the application's code reads (string literals under those prefixes).
    Set<String> read = new TreeSet<>();
    Pattern literal = Pattern.compile("\"((?:admin|app)\\.[a-z][a-z0-9.-]*)\"");
    try (Stream<Path> sources = Files.walk(app.resolve("src/main/java"))) {
      for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher names = literal.matcher(Files.readString(source));
        while (names.find()) {
          read.add(names.group(1));
        }
      }
    }
    assertThat(read).isNotEmpty();
    assertThat(provided).containsAll(read);
    // The README's Kubernetes snippet and the application's port agree with the manifest.
    assertThat(Files.readString(app.resolve("README.md"))).contains("value: " + mountsVariable);
    assertThat(ports(container))
        .containsEntry(
            "http",
            Integer.valueOf(
                properties(app.resolve("src/main/resources/application.properties"))
                    .getProperty("quarkus.http.port")));
  }

  private static void fieldPaths(String prefix, Object json, Set<String> into) {
    if (json instanceof Map<?, ?> object) {
      object.forEach((field, value) -> fieldPaths(prefix + "." + field, value, into));
    } else {
      into.add(prefix);
    }
  }

  @Test
  void kustomizeAndExternalSecretsProduceTheSecretsTheDeploymentMounts() {
    Map<String, Object> pod = podSpec("spring-boot-app/deployment.yaml", "orders");
    Map<String, Object> kustomization =
        DOCUMENTS.get(MANIFESTS.resolve("kustomize/kustomization.yaml")).get(0);
    assertThat(strings(kustomization.get("resources")))
        .contains("../spring-boot-app/deployment.yaml");
    assertThat(map(kustomization.get("generatorOptions")))
        .containsEntry("disableNameSuffixHash", true);
    Map<String, Map<String, Object>> generated = new LinkedHashMap<>();
    for (Object generator : (List<?>) kustomization.get("secretGenerator")) {
      generated.put((String) map(generator).get("name"), map(generator));
    }
    for (Object volume : (List<?>) pod.get("volumes")) {
      String name = (String) map(map(volume).get("secret")).get("secretName");
      assertThat(generated).as("secretGenerator for " + name).containsKey(name);
    }
    assertThat(generated.get("orders-db")).containsEntry("type", "kubernetes.io/basic-auth");
    assertThat(generated.get("orders-tls")).containsEntry("type", "kubernetes.io/tls");
    assertThat(strings(generated.get("orders-api").get("files")))
        .contains("payments-key=api/payments-key", ".registry-token=api/registry-token");

    for (String name : List.of("orders-db", "orders-api")) {
      Map<String, Object> external =
          document("external-secrets/external-secrets.yaml", "ExternalSecret", name);
      Map<String, Object> target = map(map(external.get("spec")).get("target"));
      assertThat(target).containsEntry("name", name);
      Set<String> secretKeys = new TreeSet<>();
      for (Object data : (List<?>) map(external.get("spec")).get("data")) {
        secretKeys.add((String) map(data).get("secretKey"));
      }
      assertThat(secretKeys).isEqualTo(keys(secret("spring-boot-app/secrets.yaml", name)));
      assertThat(map(target.get("template")).get("type"))
          .isEqualTo(secret("spring-boot-app/secrets.yaml", name).get("type"));
    }
  }

  // ---- reading the manifests ----

  private static Properties properties(String name) throws IOException {
    return properties(Path.of("src", "main", "resources", name));
  }

  private static Properties properties(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    }
    return properties;
  }

  private static Map<String, Object> document(String file, String kind, String name) {
    return DOCUMENTS.get(MANIFESTS.resolve(file)).stream()
        .filter(
            doc ->
                doc.get("kind").equals(kind) && map(doc.get("metadata")).get("name").equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + file));
  }

  private static Map<String, Object> secret(String file, String name) {
    return document(file, "Secret", name);
  }

  private static Set<String> keys(Map<String, Object> secret) {
    Set<String> keys = new TreeSet<>();
    for (String field : List.of("data", "stringData")) {
      if (secret.get(field) != null) {
        keys.addAll(map(secret.get(field)).keySet());
      }
    }
    return keys;
  }

  private static Map<String, Object> podSpec(String file, String deployment) {
    Map<String, Object> spec = map(document(file, "Deployment", deployment).get("spec"));
    return map(map(spec.get("template")).get("spec"));
  }

  private static Map<String, Object> container(Map<String, Object> pod, String name) {
    return ((List<?>) pod.get("containers"))
        .stream()
            .map(KubernetesManifestsTests::map)
            .filter(c -> c.get("name").equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container " + name));
  }

  private static Map<String, Map<String, Object>> mounts(Map<String, Object> container) {
    Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
    for (Object mount : (List<?>) container.getOrDefault("volumeMounts", List.of())) {
      mounts.put((String) map(mount).get("mountPath"), map(mount));
    }
    return mounts;
  }

  private static Map<String, Object> secretVolume(
      Map<String, Object> pod, Map<String, Object> mount) {
    return ((List<?>) pod.get("volumes"))
        .stream()
            .map(KubernetesManifestsTests::map)
            .filter(v -> v.get("name").equals(mount.get("name")))
            .map(v -> map(v.get("secret")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no secret volume " + mount.get("name")));
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object var : (List<?>) container.getOrDefault("env", List.of())) {
      env.put((String) map(var).get("name"), (String) map(var).get("value"));
    }
    return env;
  }

  private static Map<String, Object> ports(Map<String, Object> container) {
    Map<String, Object> ports = new LinkedHashMap<>();
    for (Object port : (List<?>) container.get("ports")) {
      ports.put((String) map(port).get("name"), map(port).get("containerPort"));
    }
    return ports;
  }

  private static List<String> strings(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return ((List<?>) value).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }
}
