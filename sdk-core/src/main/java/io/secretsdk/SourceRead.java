package io.secretsdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one read of a source produced, all from the same walk: the content (or why there is none),
 * the fingerprint a later poll compares against, and the directories a watcher registers. A refresh
 * of a mount is then one scan on one bounded thread, not a fingerprint scan, a read and a directory
 * scan each on their own. Immutable.
 *
 * @param content every name and value, immutable; {@code null} when the read failed
 * @param failure why the read failed, or {@code null}
 * @param fingerprint what {@link SourceReader#fingerprint()} returns for the source as it was read
 *     (equal as long as nothing changed); never {@code null}
 * @param directories the directories to watch as the walk found them (the root, plain directories,
 *     volume directories), or {@code null} when the walk did not get that far (missing root,
 *     unreadable directory, timeout) or the source is not a mount
 */
record SourceRead(
    Map<String, Secret> content,
    SecretReadException failure,
    String fingerprint,
    List<Path> directories) {

  static SourceRead failed(SecretReadException failure, String fingerprint, List<Path> dirs) {
    return new SourceRead(null, failure, fingerprint, dirs);
  }

  /** The content, or the failure thrown. */
  Map<String, Secret> contentOrThrow() {
    if (failure != null) {
      throw failure;
    }
    return content;
  }
}
