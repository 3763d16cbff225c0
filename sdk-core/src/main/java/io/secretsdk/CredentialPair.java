package io.secretsdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A username and its password, both from the same generation of a store: a client that reconnects
 * with a pair never combines an old username with a new password.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows neither value; {@link #equals} compares
 * both in constant time.
 */
public final class CredentialPair {

  private final String username;
  private final String password;
  private final String usernameOrigin;
  private final String passwordOrigin;

  CredentialPair(String username, String password, String usernameOrigin, String passwordOrigin) {
    this.username = Objects.requireNonNull(username, "username");
    this.password = Objects.requireNonNull(password, "password");
    this.usernameOrigin = Objects.requireNonNull(usernameOrigin, "usernameOrigin");
    this.passwordOrigin = Objects.requireNonNull(passwordOrigin, "passwordOrigin");
  }

  /** The username. */
  public String username() {
    return username;
  }

  /** The password. Never logged or printed by secretsdk. */
  public String password() {
    return password;
  }

  /** Where the username came from, for example {@code file:/etc/secrets/db/username}. */
  public String usernameOrigin() {
    return usernameOrigin;
  }

  /** Where the password came from, for example {@code file:/etc/secrets/db/password}. */
  public String passwordOrigin() {
    return passwordOrigin;
  }

  /** Equal when both values are equal, compared in constant time; origins are not compared. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CredentialPair other)) {
      return false;
    }
    boolean sameUser =
        MessageDigest.isEqual(
            username.getBytes(StandardCharsets.UTF_8),
            other.username.getBytes(StandardCharsets.UTF_8));
    boolean samePassword =
        MessageDigest.isEqual(
            password.getBytes(StandardCharsets.UTF_8),
            other.password.getBytes(StandardCharsets.UTF_8));
    return sameUser & samePassword;
  }

  /** Constant: the hash says nothing about the values. */
  @Override
  public int hashCode() {
    return CredentialPair.class.hashCode();
  }

  /** Origins only, never the values. */
  @Override
  public String toString() {
    return "CredentialPair[username=****, password=****, from "
        + usernameOrigin
        + ", "
        + passwordOrigin
        + "]";
  }
}
