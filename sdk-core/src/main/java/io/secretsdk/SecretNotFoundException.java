package io.secretsdk;

import java.util.List;

/** Thrown by {@link SecretStore#require(String)} when no source has the name. */
public final class SecretNotFoundException extends SecretException {

  private static final long serialVersionUID = 1L;

  private final String name;

  SecretNotFoundException(String name, List<String> sources) {
    super(
        ControlCharacters.escape(
            "no secret named '"
                + name
                + "' in "
                + (sources.isEmpty()
                    ? "any source (the store has no sources)"
                    : String.join(", ", sources))
                + "; check the file or variable name and the mount's prefix"));
    this.name = name;
  }

  /** The name that was looked up. */
  public String name() {
    return name;
  }
}
