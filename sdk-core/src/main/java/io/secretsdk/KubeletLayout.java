package io.secretsdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads one Kubernetes volume (kubelet {@code AtomicWriter} layout) as a single generation:
 * resolve {@code ..data} once, read every file under the timestamped directory it names
 * (recursively, so nested items are found before their top-level link exists), then check that
 * {@code ..data} still names the same directory. If it moved, read again, a bounded number of
 * times.
 */
final class KubeletLayout {

  static final String DATA = "..data";
  static final int MAX_ATTEMPTS = 5;

  private final Path volume;
  private final Path realRoot;
  private final String namePrefix;
  private final String source;
  private final SecretFileReader files;
  private final ReadSettings settings;
  // Shared by the origins of every file of the volume (see OriginDirectory).
  private final OriginDirectory origins;

  KubeletLayout(
      Path volume, Path realRoot, String namePrefix, String source, SecretFileReader files, ReadSettings settings) {
    this.volume = volume;
    this.realRoot = realRoot;
    this.namePrefix = namePrefix;
    this.source = source;
    this.files = files;
    this.settings = settings;
    this.origins = new OriginDirectory(volume, namePrefix);
  }

  /** The name {@code ..data} points to now, or {@code null} if there is no {@code ..data} link. */
  static String dataTarget(Path volume) throws IOException {
    try {
      return Files.readSymbolicLink(volume.resolve(DATA)).toString();
    } catch (NoSuchFileException | java.nio.file.NotLinkException e) {
      return null;
    }
  }

  void readGeneration(Map<String, Secret> out) throws IOException {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      String before = dataTarget(volume);
      if (before == null) {
        throw new SecretReadException(
            source, volume.resolve(DATA) + " is not a symbolic link; this does not look like a Kubernetes volume");
      }
      Map<String, Secret> generation = new TreeMap<>();
      try {
        Path dataDir = volume.resolve(before);
        Path realData = dataDir.toRealPath();
        if (!realData.startsWith(realRoot)) {
          throw new SecretReadException(
              source, volume.resolve(DATA) + " resolves outside the mount " + realRoot + "; refusing to read it");
        }
        readTree(dataDir, dataDir, generation, 0);
      } catch (NoSuchFileException e) {
        // The kubelet removed this generation while we read it: the target moved on.
        if (Objects.equals(before, dataTarget(volume))) {
          throw new SecretReadException(
              source,
              volume.resolve(DATA) + " points to " + before + ", which is missing or incomplete (" + e.getFile() + ")",
              e);
        }
        continue;
      }
      if (Objects.equals(before, dataTarget(volume))) {
        out.putAll(generation);
        return;
      }
    }
    throw new SecretReadException(
        source,
        volume.resolve(DATA)
            + " changed during each of "
            + MAX_ATTEMPTS
            + " reads; the last good generation is kept and the volume is read again on the next change");
  }

  private void readTree(Path dataDir, Path dir, Map<String, Secret> out, int depth)
      throws IOException {
    if (depth > MountReader.MAX_DEPTH) {
      throw new SecretReadException(source, "items nest deeper than " + MountReader.MAX_DEPTH + " levels in " + volume);
    }
    for (Path entry : MountReader.sortedEntries(dir)) {
      String fileName = entry.getFileName().toString();
      if (SecretNames.isMachinery(fileName)) {
        continue;
      }
      Path relative = dataDir.relativize(entry);
      Path shown = volume.resolve(relative);
      BasicFileAttributes attrs = files.attributesWithin(entry, shown, realRoot);
      if (attrs.isDirectory()) {
        readTree(dataDir, entry, out, depth + 1);
      } else if (attrs.isRegularFile()) {
        String name = namePrefix + toName(relative);
        byte[] value = settings.finish(files.readImmutable(entry, shown));
        out.put(name, new Secret(name, value, origins, relative.toString()));
      }
    }
  }

  static String toName(Path relative) {
    StringBuilder sb = new StringBuilder();
    for (Path element : relative) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(element);
    }
    return sb.toString();
  }
}
