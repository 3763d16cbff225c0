package io.secretsdk;

import java.nio.file.Path;

/**
 * The part of a file origin that every secret read from one directory shares: the directory as the
 * application sees it, and where the file's relative path starts in a secret's name. A {@link
 * Secret} keeps this shared object plus, only when its relative path is not the tail of its name
 * (nested items), that path; its {@link SecretOrigin} is built on demand. Keeping one origin string
 * per secret cost more heap than the value of a typical password. Immutable.
 */
final class OriginDirectory {

  private final Path directory;
  private final int nameOffset;

  /**
   * @param directory the directory the files are shown under
   * @param namePrefix the part of every name before the file's relative path
   */
  OriginDirectory(Path directory, String namePrefix) {
    this.directory = directory;
    this.nameOffset = namePrefix.length();
  }

  /**
   * The origin of the file whose name is {@code name} and relative path {@code relative} (or {@code
   * null}).
   */
  SecretOrigin originOf(String name, String relative) {
    return new SecretOrigin.File(
        directory.resolve(relative != null ? relative : name.substring(nameOffset)));
  }

  /**
   * What a secret named {@code name} must keep of {@code relative}: {@code null} when the name ends
   * with it after the prefix (no nesting), so no second string is held.
   */
  String compact(String name, String relative) {
    return name.length() - nameOffset == relative.length() && name.startsWith(relative, nameOffset)
        ? null
        : relative;
  }

  boolean sameAs(OriginDirectory other) {
    return this == other || (nameOffset == other.nameOffset && directory.equals(other.directory));
  }
}
