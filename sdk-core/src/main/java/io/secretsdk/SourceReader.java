package io.secretsdk;

import java.util.Map;

/** Reads one source as a whole; implementations are stateless and thread-safe. */
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

  static SourceReader of(MountReader mount) {
    return new SourceReader() {
      @Override
      public String source() {
        return mount.source();
      }

      @Override
      public Map<String, Secret> read() {
        return mount.read();
      }

      @Override
      public String fingerprint() {
        return MountFingerprint.of(mount.root());
      }

      @Override
      public java.nio.file.Path mountRoot() {
        return mount.root();
      }
    };
  }

  static SourceReader of(EnvironmentReader environment) {
    return new SourceReader() {
      @Override
      public String source() {
        return environment.source();
      }

      @Override
      public Map<String, Secret> read() {
        return environment.read();
      }

      @Override
      public String fingerprint() {
        return MountFingerprint.ofFiles(environment.indirectFiles());
      }
    };
  }
}
