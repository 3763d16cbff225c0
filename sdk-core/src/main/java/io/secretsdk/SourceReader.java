package io.secretsdk;

import java.nio.file.Path;
import java.util.Map;

/** Reads one source as a whole; implementations are thread-safe. */
interface SourceReader {

  /** How the source is named in messages and health, for example {@code mount:/etc/secrets}. */
  String source();

  /**
   * Reads every name and value of the source consistently, together with the fingerprint and the
   * directories of the same walk. A problem of the source is returned in {@link
   * SourceRead#failure()}, never thrown, so its fingerprint and directories still serve the poller
   * and the watcher.
   */
  SourceRead readAll();

  /**
   * Every name and value of the source, read consistently.
   *
   * @throws SecretReadException naming the problem; never a partial result
   */
  default Map<String, Secret> read() {
    return readAll().contentOrThrow();
  }

  /** The mount directory this source reads, or {@code null} for sources that are not mounts. */
  default Path mountRoot() {
    return null;
  }

  /**
   * A cheap identity of what {@link #read()} would return; equal means unchanged. For an unchanged
   * source it equals the {@link SourceRead#fingerprint()} of the last read.
   */
  String fingerprint();
}
