package io.secretsdk.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.Secret;
import java.util.Map;

/**
 * What one secret name last held: the {@link Secret} seen (compared by identity, so a reader of an
 * unchanged snapshot does not even hash), the digest of its content, the last document that parsed,
 * and the error of the current content if it did not. Views derived from the document (expanded
 * properties, the docker config) are computed at most once and kept here. Immutable apart from
 * those write-once caches; thread-safe.
 */
final class ParsedDocument {

  private final Secret seen;
  private final byte[] digest;
  private final JsonNode document;
  private final JsonSecretException error;
  private final boolean documentIsCurrent;
  private volatile Map<String, String> properties;
  private volatile DockerConfigJson dockerConfig;

  private ParsedDocument(
      Secret seen,
      byte[] digest,
      JsonNode document,
      JsonSecretException error,
      boolean documentIsCurrent) {
    this.seen = seen;
    this.digest = digest;
    this.document = document;
    this.error = error;
    this.documentIsCurrent = documentIsCurrent;
  }

  static ParsedDocument parsed(Secret seen, byte[] digest, JsonNode document) {
    return new ParsedDocument(seen, digest, document, null, true);
  }

  /** The current content failed; {@code lastGood} (may be {@code null}) keeps serving. */
  static ParsedDocument failed(
      Secret seen, byte[] digest, JsonSecretException error, ParsedDocument lastGood) {
    ParsedDocument kept =
        new ParsedDocument(seen, digest, lastGood == null ? null : lastGood.document, error, false);
    if (lastGood != null) {
      kept.properties = lastGood.properties;
      kept.dockerConfig = lastGood.dockerConfig;
    }
    return kept;
  }

  /** The same content seen again through another {@link Secret} instance (a newer snapshot). */
  ParsedDocument seenAgain(Secret again) {
    ParsedDocument same = new ParsedDocument(again, digest, document, error, documentIsCurrent);
    same.properties = properties;
    same.dockerConfig = dockerConfig;
    return same;
  }

  Secret seen() {
    return seen;
  }

  byte[] digest() {
    return digest;
  }

  /**
   * The document to serve: the current one, or the last good one; {@code null} if none ever parsed.
   */
  JsonNode document() {
    return document;
  }

  /** The error of the current content, or {@code null} when it parsed. */
  JsonSecretException error() {
    return error;
  }

  /** Whether {@link #document()} is the current content's (not a kept last good one). */
  boolean documentIsCurrent() {
    return documentIsCurrent;
  }

  Map<String, String> properties() {
    return properties;
  }

  void properties(Map<String, String> computed) {
    properties = computed;
  }

  DockerConfigJson dockerConfig() {
    return dockerConfig;
  }

  void dockerConfig(DockerConfigJson computed) {
    dockerConfig = computed;
  }
}
