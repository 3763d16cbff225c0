package io.secretsdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one mount root into names and values from a {@link MountScan}: Kubernetes volumes as one
 * generation, plain directories entry by entry with a stability check, and subdirectories the same
 * way, so a folder of volumes maps names exactly as Spring Boot's {@code configtree:} does. Every
 * read and fingerprint runs as one {@link BoundedRead}, so neither can hang.
 *
 * <p>The mount's real path is pinned the first time it resolves. If the configured path later
 * resolves elsewhere (the directory was replaced by a link), reads fail with a message saying so
 * and the last good values are kept: a store never starts serving another directory silently.
 *
 * <p>Remembers the pinned root and which directories were volumes at the last successful read;
 * thread-safe.
 */
final class MountReader implements SourceReader {

  private final Path root;
  private final String prefix;
  private final String source;
  private final ReadSettings settings;
  private final SecretFileReader files;
  private final boolean optional;
  private final MountScan.Observer observer;
  // Directories that held a ..data link at the last successful read. One that still exists
  // without it is being torn down or rewritten, not a plain directory that was emptied.
  // An immutable set replaced after each read (usually of one path): a concurrent set cost about
  // 200 bytes per store for what is rarely more than one entry.
  private volatile Set<Path> knownVolumes = Set.of();
  private volatile Path pinnedRoot;

  MountReader(Path root, String prefix, ReadSettings settings) {
    this(root, prefix, settings, false);
  }

  MountReader(Path root, String prefix, ReadSettings settings, boolean optional) {
    this(root, prefix, settings, optional, MountScan.Observer.NONE);
  }

  MountReader(
      Path root,
      String prefix,
      ReadSettings settings,
      boolean optional,
      MountScan.Observer observer) {
    this.root = root;
    this.prefix = prefix;
    this.optional = optional;
    this.source = "mount:" + root;
    this.settings = settings;
    this.files = new SecretFileReader(source, settings);
    this.observer = observer;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public Path mountRoot() {
    return root;
  }

  /**
   * The cheap identity the poller compares; a distinct value for every problem, never an exception.
   */
  @Override
  public String fingerprint() {
    try {
      return BoundedRead.call(
          source,
          "fingerprinting",
          settings.readTimeout(),
          tracker -> {
            Path realRoot = realRoot();
            return scan(realRoot, MountScan.Reach.IDENTITIES, tracker).fingerprint();
          });
    } catch (SecretReadException e) {
      // Missing, moved or unreadable: a distinct fingerprint makes the poller read, and the read
      // reports the problem properly.
      return "!" + e.getMessage();
    }
  }

  /**
   * Reads every secret under the root in one scan on one bounded thread, with that scan's
   * fingerprint and directories. Problems come back in {@link SourceRead#failure()}: nothing
   * partial is returned.
   */
  @Override
  public SourceRead readAll() {
    try {
      return BoundedRead.call(
          source,
          "reading",
          settings.readTimeout(),
          tracker -> {
            Path realRoot = realRoot();
            MountScan scan = scan(realRoot, MountScan.Reach.VALUES, tracker);
            String fingerprint = scan.fingerprint();
            List<Path> directories = List.copyOf(scan.directories());
            List<MountScan.Problem> problems = scan.problems();
            if (!problems.isEmpty()) {
              String more =
                  problems.size() == 1 ? "" : " (and " + (problems.size() - 1) + " more problems)";
              return SourceRead.failed(
                  new SecretReadException(source, problems.get(0).message() + more),
                  fingerprint,
                  directories);
            }
            Set<Path> volumes = new HashSet<>();
            for (MountScan.Volume v : scan.volumes()) {
              volumes.add(v.directory().equals(root) ? root : v.directory());
            }
            knownVolumes = Set.copyOf(volumes);
            // One immutable map, shared as is by the source's state and the snapshot.
            return new SourceRead(Map.copyOf(scan.secrets()), null, fingerprint, directories);
          });
    } catch (SecretReadException e) {
      // Missing, moved, unreadable, oversize or too slow: no directories; the fingerprint is the
      // one a poll computes for the same failure.
      return SourceRead.failed(e, "!" + e.getMessage(), null);
    }
  }

  private MountScan scan(Path realRoot, MountScan.Reach reach, BoundedRead.Tracker tracker)
      throws IOException {
    try {
      return new MountScan(root, realRoot, prefix, reach, files, knownVolumes, observer, tracker)
          .run();
    } catch (NoSuchFileException e) {
      if (!Files.isDirectory(root)) {
        throw missing();
      }
      throw new SecretReadException(source, MountScan.vanished(Path.of(e.getFile())), e);
    } catch (java.nio.file.NotDirectoryException e) {
      throw new SecretReadException(source, MountScan.changed(root), e);
    }
  }

  /** The mount's real path, pinned at the first successful resolution. */
  private Path realRoot() throws IOException {
    Path real;
    try {
      real = root.toRealPath();
    } catch (NoSuchFileException e) {
      throw missing();
    }
    BasicFileAttributes attrs =
        Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isDirectory()) {
      throw new SecretReadException(
          source, root + " is not a directory; mount a directory of secret files");
    }
    Path pinned = pinnedRoot;
    if (pinned == null) {
      // The same object as root when they are equal (the usual case): one Path less per store.
      pinnedRoot = real.equals(root) ? root : real;
      return real;
    }
    if (!pinned.equals(real)) {
      throw new SecretReadException(
          source,
          root
              + " now resolves to "
              + real
              + ", not to "
              + pinned
              + " as when it was first read; the mount directory was replaced by a link, which is not followed (restart to accept the new location)");
    }
    return pinned;
  }

  SecretReadException missing() {
    if (optional) {
      return new SecretReadException(
          source,
          "optional directory " + root + " does not exist (yet); it is read as soon as it appears");
    }
    return new SecretReadException(
        source,
        "directory "
            + root
            + " does not exist; check the volume's mountPath, or declare the mount optional");
  }
}
