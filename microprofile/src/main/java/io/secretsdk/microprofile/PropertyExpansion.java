package io.secretsdk.microprofile;

import io.secretsdk.SecretSnapshot;
import java.util.List;
import java.util.SortedMap;

/**
 * Turns some secrets of a snapshot into several properties (today: JSON objects into dotted names,
 * {@link JsonExpansion}). An interface without Jackson types, so that the config source loads and
 * runs on a class path without Jackson as long as no mount asks for expansion. Implementations are
 * thread-safe.
 */
interface PropertyExpansion {

  /**
   * Replaces, in {@code properties} (every text secret of {@code snapshot} by name), the secrets
   * this expansion covers by the properties they expand to; a secret's own name wins over an
   * expanded name that collides with it.
   */
  void expand(SecretSnapshot snapshot, SortedMap<String, String> properties);

  /**
   * Why some covered secrets are served from their last good content or not at all; never values.
   */
  List<String> problems();
}
