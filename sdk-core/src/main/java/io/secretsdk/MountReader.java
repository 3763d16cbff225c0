package io.secretsdk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads one mount root into names and values. A directory with {@code ..data} is a Kubernetes
 * volume and is read as one generation (see {@link KubeletLayout}); any other directory is read
 * entry by entry with a stability check, and its subdirectories are walked the same way, so a
 * folder of volumes maps names exactly as Spring Boot's {@code configtree:} does.
 *
 * <p>Remembers only which directories were volumes at the last successful read; safe to use from
 * several threads.
 */
final class MountReader implements SourceReader {

  static final int MAX_DEPTH = 32;

  private final Path root;
  private final String prefix;
  private final String source;
  private final ReadSettings settings;
  private final SecretFileReader files;
  // Directories that held a ..data link at the last successful read. One that still exists
  // without it is being torn down or rewritten, not a plain directory that was emptied.
  // An immutable set replaced after each read (usually of one path): a concurrent set cost about
  // 200 bytes per store for what is rarely more than one entry.
  private volatile Set<Path> knownVolumes = Set.of();

  private final boolean optional;

  MountReader(Path root, String prefix, ReadSettings settings) {
    this(root, prefix, settings, false);
  }

  MountReader(Path root, String prefix, ReadSettings settings, boolean optional) {
    this.optional = optional;
    this.root = root;
    this.prefix = prefix;
    this.source = "mount:" + root;
    this.settings = settings;
    this.files = new SecretFileReader(source, settings);
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public Path mountRoot() {
    return root;
  }

  @Override
  public String fingerprint() {
    return MountFingerprint.of(root);
  }

  /**
   * Reads every secret under the root.
   *
   * @throws SecretReadException naming the file and the problem; nothing partial is returned
   */
  @Override
  public Map<String, Secret> read() {
    Path realRoot;
    try {
      realRoot = root.toRealPath();
    } catch (NoSuchFileException e) {
      throw missing();
    } catch (IOException e) {
      throw new SecretReadException(source, "cannot resolve the mount directory: " + e.getClass().getSimpleName(), e);
    }
    if (!Files.isDirectory(realRoot)) {
      throw new SecretReadException(source, root + " is not a directory; mount a directory of secret files");
    }
    Map<String, Secret> out = new TreeMap<>();
    Set<Path> volumes = new HashSet<>();
    try {
      walk(root, realRoot, prefix, 0, out, volumes);
      knownVolumes = Set.copyOf(volumes);
    } catch (SecretReadException e) {
      throw e;
    } catch (NoSuchFileException e) {
      if (!Files.isDirectory(root)) {
        throw missing();
      }
      throw new SecretReadException(
          source, "a file vanished while the directory was read (" + e.getFile() + "); it will be read again", e);
    } catch (IOException e) {
      throw new SecretReadException(source, "read failed: " + e, e);
    }
    return out;
  }

  SecretReadException missing() {
    if (optional) {
      return new SecretReadException(
          source, "optional directory " + root + " does not exist (yet); it is read as soon as it appears");
    }
    return new SecretReadException(
        source, "directory " + root + " does not exist; check the volume's mountPath, or declare the mount optional");
  }

  private void walk(
      Path dir, Path realRoot, String namePrefix, int depth, Map<String, Secret> out, Set<Path> volumes)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new SecretReadException(source, "directories nest deeper than " + MAX_DEPTH + " levels under " + root);
    }
    if (Files.exists(dir.resolve(KubeletLayout.DATA), LinkOption.NOFOLLOW_LINKS)) {
      new KubeletLayout(dir, realRoot, namePrefix, source, files, settings).readGeneration(out);
      volumes.add(dir);
      return;
    }
    if (knownVolumes.contains(dir)) {
      throw new SecretReadException(
          source,
          dir + " lost its ..data link: the volume is being removed or rewritten; it is read again when it settles");
    }
    List<Path> entries = sortedEntries(dir);
    OriginDirectory origins = new OriginDirectory(dir, namePrefix);
    for (Path entry : entries) {
      if (SecretNames.isMachinery(entry.getFileName().toString())) {
        // Kubelet entries without ..data: the first generation of a volume is being written.
        throw new SecretReadException(
            source,
            dir
                + " has kubelet entries ("
                + entry.getFileName()
                + ") but no ..data link yet: a volume is being written; it is read again when ..data appears");
      }
    }
    for (Path entry : entries) {
      String fileName = entry.getFileName().toString();
      if (!SecretNames.isCandidate(fileName)) {
        continue;
      }
      BasicFileAttributes attrs = files.attributesWithin(entry, entry, realRoot);
      String name = namePrefix + fileName;
      if (attrs.isDirectory()) {
        walk(entry, realRoot, name + ".", depth + 1, out, volumes);
      } else if (attrs.isRegularFile()) {
        byte[] value = settings.finish(files.readStable(entry, entry));
        out.put(name, new Secret(name, value, origins, fileName));
      }
      // Sockets, FIFOs and devices are not secrets: skipped.
    }
  }

  static List<Path> sortedEntries(Path dir) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        entries.add(p);
      }
    } catch (NotDirectoryException e) {
      return List.of();
    }
    entries.sort(null);
    return entries;
  }
}
