package io.secretsdk.signer;

import java.util.List;
import java.util.Objects;

/**
 * What a local signer knows about one key name, never key bytes: the id of the key new signatures
 * use, the ids of keys that still verify, and why the name is unusable if it is. Immutable and
 * thread-safe; from {@link Signer#keyStatus()}.
 */
public final class KeyStatus {

  private final String name;
  private final String keyId;
  private final List<String> previousKeyIds;
  private final List<String> verifyOnlyKeyIds;
  private final String problem;

  /**
   * @param name the key name
   * @param keyId the id of the current signing key, or null when there is none
   * @param previousKeyIds ids of rotated-out keys still within their grace period, newest first
   * @param verifyOnlyKeyIds ids of the key set's verify-only members ({@code <name>.previous},
   *     {@code <name>.next})
   * @param problem why the name has no usable key, or null; never contains key bytes
   */
  public KeyStatus(
      String name,
      String keyId,
      List<String> previousKeyIds,
      List<String> verifyOnlyKeyIds,
      String problem) {
    this.name = Objects.requireNonNull(name, "name");
    this.keyId = keyId;
    this.previousKeyIds = List.copyOf(previousKeyIds);
    this.verifyOnlyKeyIds = List.copyOf(verifyOnlyKeyIds);
    this.problem = problem;
  }

  /** The key name. */
  public String name() {
    return name;
  }

  /** The id of the key new signatures use, or null when the name has no usable key now. */
  public String keyId() {
    return keyId;
  }

  /** Ids of rotated-out keys that still verify (in-memory grace), most recently retired first. */
  public List<String> previousKeyIds() {
    return previousKeyIds;
  }

  /**
   * Ids of the verify-only members of the name's key set in the store ({@code .previous}, {@code
   * .next}).
   */
  public List<String> verifyOnlyKeyIds() {
    return verifyOnlyKeyIds;
  }

  /** Why the name has no usable key (for example too short), or null. */
  public String problem() {
    return problem;
  }

  /** Whether new signatures can be made with this name. */
  public boolean usable() {
    return keyId != null;
  }

  @Override
  public String toString() {
    return "KeyStatus[name="
        + name
        + ", keyId="
        + keyId
        + ", previous="
        + previousKeyIds
        + ", verifyOnly="
        + verifyOnlyKeyIds
        + (problem == null ? "" : ", problem=" + problem)
        + "]";
  }
}
