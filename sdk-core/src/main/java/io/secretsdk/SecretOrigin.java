package io.secretsdk;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a secret's value came from: a file or an environment variable. {@code toString()} is the
 * form shown in messages and by the framework integrations, {@code file:/etc/secrets/db/password}
 * or {@code env:DB_PASSWORD}; match on the two record types to get the path or variable without
 * parsing that text.
 *
 * <p>Implementations are immutable and thread-safe values.
 */
public sealed interface SecretOrigin {

  /** A file origin. */
  static SecretOrigin file(Path path) {
    return new File(path);
  }

  /** An environment variable origin. */
  static SecretOrigin environment(String variable) {
    return new Environment(variable);
  }

  /**
   * A mounted file (or the file a {@code NAME_FILE} variable names), as the application sees it:
   * under the mount directory, not under the kubelet's timestamped directory it was read through.
   *
   * @param path the file's absolute path
   */
  record File(Path path) implements SecretOrigin {

    /** Checks the path. */
    public File {
      Objects.requireNonNull(path, "path");
    }

    /** {@code file:} and the path, for example {@code file:/etc/secrets/db/password}. */
    @Override
    public String toString() {
      return ControlCharacters.escape("file:" + path);
    }
  }

  /**
   * An environment variable holding the value itself.
   *
   * @param variable the variable's name, for example {@code DB_PASSWORD}
   */
  record Environment(String variable) implements SecretOrigin {

    /** Checks the name. */
    public Environment {
      Objects.requireNonNull(variable, "variable");
    }

    /** {@code env:} and the variable's name, for example {@code env:DB_PASSWORD}. */
    @Override
    public String toString() {
      return ControlCharacters.escape("env:" + variable);
    }
  }
}
