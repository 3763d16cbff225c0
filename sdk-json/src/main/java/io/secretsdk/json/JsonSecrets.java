package io.secretsdk.json;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.secretsdk.Secret;
import io.secretsdk.SecretStore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads JSON-valued secrets with Jackson 2 databind: as a tree, as a record or POJO, one field by
 * JSON pointer, expanded into dotted properties, or as the registry credentials of a {@code
 * .dockerconfigjson}.
 *
 * <pre>{@code
 * JsonSecrets json = JsonSecrets.create();
 * DbCredentials db = json.read(store, "db", DbCredentials.class);          // a record
 * String max = json.at(store, "db", "/pool/max").map(JsonNode::asText).orElse("10");
 * Map<String, String> props = json.expand(store.require("db"));           // db.username, db.pool.max
 * }</pre>
 *
 * <p><b>Parsed once per content.</b> An instance remembers, per secret name, the content it last
 * parsed (by SHA-256 digest) and the document; reading an unchanged secret again, from the same or
 * a newer snapshot, does not parse again, and concurrent readers of new content wait for one parse.
 * A rotation to new content is parsed on the next read, so a view is never stale.
 *
 * <p><b>Last good document.</b> When a secret's new content does not parse, the error is logged
 * once (secret name, origin, line and column; never the content) and the reads of that name keep
 * answering from the last document that parsed, until a good one arrives; {@link #problem} tells
 * whether that is happening. A name that never parsed throws {@link JsonSecretException}.
 *
 * <p>Trees returned are copies: changing them changes nothing here. Keep one instance per
 * application (or per store). Thread-safe.
 */
public final class JsonSecrets {

  /** The key of a {@code kubernetes.io/dockerconfigjson} Secret. */
  public static final String DOCKER_CONFIG_JSON = ".dockerconfigjson";

  private static final System.Logger LOG = System.getLogger(JsonSecrets.class.getName());

  private final ObjectMapper mapper;
  private final Map<String, ParsedDocument> documents = new ConcurrentHashMap<>();

  private JsonSecrets(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Reads with a mapper set up for secrets: duplicate keys and trailing content are errors, decimal
   * numbers keep their digits ({@code 1.50} stays {@code 1.50}), unknown properties are ignored
   * when binding.
   */
  public static JsonSecrets create() {
    return new JsonSecrets(
        JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build());
  }

  /** Reads with the application's own mapper (its modules, naming strategy and features). */
  public static JsonSecrets create(ObjectMapper mapper) {
    return new JsonSecrets(Objects.requireNonNull(mapper, "mapper"));
  }

  /**
   * The secret's document as a tree (a copy).
   *
   * @throws JsonSecretException if the content is not JSON and no earlier content of this name was
   */
  public JsonNode tree(Secret secret) {
    return document(secret).document().deepCopy();
  }

  /** {@link #tree(Secret)} of the secret {@code name} in the store's current snapshot. */
  public JsonNode tree(SecretStore store, String name) {
    return tree(store.require(name));
  }

  /**
   * The secret's document bound to {@code type} (a record, a POJO, a {@code Map}).
   *
   * @throws JsonSecretException if the content is not JSON (and no earlier content of this name
   *     was), or the document does not bind; the message names the field, never its value
   */
  public <T> T read(Secret secret, Class<T> type) {
    Objects.requireNonNull(type, "type");
    JsonNode document = document(secret).document();
    try {
      return mapper.treeToValue(document, type);
    } catch (JsonMappingException e) {
      throw JsonErrors.doesNotBind(secret, type, e);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw JsonErrors.doesNotBind(secret, type);
    }
  }

  /** {@link #read(Secret, Class)} of the secret {@code name} in the store's current snapshot. */
  public <T> T read(SecretStore store, String name, Class<T> type) {
    return read(store.require(name), type);
  }

  /**
   * The node at a JSON pointer ({@code /pool/max}, {@code /hosts/0}) of the secret's document (a
   * copy), or empty when the document has nothing there.
   *
   * @throws IllegalArgumentException if {@code pointer} is not a JSON pointer
   * @throws JsonSecretException if the content is not JSON and no earlier content of this name was
   */
  public Optional<JsonNode> at(Secret secret, String pointer) {
    JsonPointer compiled = JsonPointer.compile(Objects.requireNonNull(pointer, "pointer"));
    JsonNode node = document(secret).document().at(compiled);
    return node.isMissingNode() ? Optional.empty() : Optional.of(node.deepCopy());
  }

  /** {@link #at(Secret, String)} of the secret {@code name} in the store's current snapshot. */
  public Optional<JsonNode> at(SecretStore store, String name, String pointer) {
    return at(store.require(name), pointer);
  }

  /**
   * The secret as properties: a JSON object becomes dotted names under the secret's name ({@code
   * db} = {@code {"username":"u","pool":{"max":5}}} gives {@code db.username=u}, {@code
   * db.pool.max=5}; arrays give {@code db.hosts[0]}, numbers and booleans their JSON text, {@code
   * null} nothing); any other value, JSON or not, stays one property under its own name. A value
   * that starts with <code>{</code> but does not parse keeps the properties of the last good
   * document of this name.
   *
   * @return the properties, sorted by name; unmodifiable
   * @throws JsonSecretException if the value starts with <code>{</code>, does not parse, and no
   *     earlier content of this name did
   * @throws io.secretsdk.SecretException if the value is not UTF-8 text
   */
  public Map<String, String> expand(Secret secret) {
    String text = secret.asString();
    if (!startsLikeObject(text)) {
      return Map.of(secret.name(), text);
    }
    ParsedDocument parsed = document(secret);
    Map<String, String> properties = parsed.properties();
    if (properties == null) {
      JsonNode document = parsed.document();
      properties =
          document.isObject()
              ? PropertyFlattener.flatten(secret.name(), document)
              : Map.of(secret.name(), text);
      parsed.properties(properties);
    }
    return properties;
  }

  /**
   * The registry credentials in a {@code .dockerconfigjson} (or a legacy {@code .dockercfg})
   * secret.
   *
   * @throws JsonSecretException if it is not JSON (and no earlier content of this name was), or an
   *     entry's {@code auth} is not base64 of {@code username:password}
   */
  public DockerConfigJson dockerConfig(Secret secret) {
    ParsedDocument parsed = document(secret);
    DockerConfigJson config = parsed.dockerConfig();
    if (config == null) {
      config = DockerConfigJson.from(secret, parsed.document());
      parsed.dockerConfig(config);
    }
    return config;
  }

  /** {@link #dockerConfig(Secret)} of the store's {@value #DOCKER_CONFIG_JSON}. */
  public DockerConfigJson dockerConfig(SecretStore store) {
    return dockerConfig(store.require(DOCKER_CONFIG_JSON));
  }

  /**
   * Why the newest content seen for {@code name} is not being served (reads answer from the last
   * good document, or fail when there is none); empty when it parsed or was never read. Names the
   * secret and the position only.
   */
  public Optional<String> problem(String name) {
    ParsedDocument parsed = documents.get(name);
    return parsed == null || parsed.error() == null
        ? Optional.empty()
        : Optional.of(parsed.error().getMessage());
  }

  /**
   * Forgets every name not in {@code names}, with its last good document: call it with a snapshot's
   * names so that a removed and re-added secret starts afresh.
   */
  public void retainOnly(Collection<String> names) {
    documents.keySet().retainAll(names);
  }

  /** How many names this instance remembers (for tests and metrics). */
  int remembered() {
    return documents.size();
  }

  /** The parsed state for {@code secret}, parsing at most once per distinct content of its name. */
  private ParsedDocument document(Secret secret) {
    Objects.requireNonNull(secret, "secret");
    ParsedDocument known = documents.get(secret.name());
    if (known == null || known.seen() != secret) {
      known = documents.compute(secret.name(), (name, previous) -> update(secret, previous));
    }
    if (known.document() == null) {
      throw known.error().copy();
    }
    return known;
  }

  private ParsedDocument update(Secret secret, ParsedDocument previous) {
    if (previous != null && previous.seen() == secret) {
      return previous;
    }
    byte[] content = secret.bytes();
    try {
      byte[] digest = sha256(content);
      if (previous != null && Arrays.equals(previous.digest(), digest)) {
        return previous.seenAgain(secret);
      }
      JsonNode document;
      try {
        document = mapper.readTree(content);
      } catch (JsonProcessingException e) {
        return failed(secret, digest, JsonErrors.notJson(secret, e), previous);
      } catch (IOException e) {
        throw new IllegalStateException("reading from memory cannot fail", e);
      }
      if (document == null || document.isMissingNode()) {
        return failed(secret, digest, JsonErrors.empty(secret), previous);
      }
      return ParsedDocument.parsed(secret, digest, document);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static ParsedDocument failed(
      Secret secret, byte[] digest, JsonSecretException error, ParsedDocument previous) {
    ParsedDocument lastGood = previous != null && previous.document() != null ? previous : null;
    LOG.log(
        Level.WARNING,
        () ->
            error.getMessage()
                + (lastGood != null
                    ? "; serving the last good document"
                    : "; nothing to serve until it is fixed"));
    return ParsedDocument.failed(secret, digest, error, lastGood);
  }

  private static boolean startsLikeObject(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        return true;
      }
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\uFEFF') {
        return false;
      }
    }
    return false;
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The number of names remembered; never values. */
  @Override
  public String toString() {
    return "JsonSecrets[names=" + documents.size() + "]";
  }
}
