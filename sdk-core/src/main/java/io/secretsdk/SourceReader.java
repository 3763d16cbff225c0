package io.secretsdk;

import java.util.Map;

/** Reads one source as a whole; implementations are thread-safe. */
interface SourceReader {

  /** How the source is named in messages and health, for example {@code mount:/etc/secrets}. */
  String source();

  /**
   * Every name and value of the source, read consistently.
   *
   * @throws SecretReadException naming the problem; never a partial result
   */
  Map<String, Secret> read();

  /** The mount directory this source reads, or {@code null} for sources that are not mounts. */
  default java.nio.file.Path mountRoot() {
    return null;
  }

  /** A cheap identity of what {@link #read()} would return; equal means unchanged. */
  String fingerprint();
}
