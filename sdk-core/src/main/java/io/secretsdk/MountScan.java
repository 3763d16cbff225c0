package io.secretsdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one walk of a mount. Reading, polling and watching all take what they need from it, so they
 * share one set of rules, and a refresh walks once: the read's scan ({@link Reach#VALUES}) also
 * gives the fingerprint the next poll ({@link Reach#IDENTITIES}) compares and the directories the
 * watcher registers.
 *
 * <ul>
 *   <li><b>Links</b> are never followed by the operating system. The scan reads a link's text and
 *       resolves it itself, lexically, inside the mount's real root: an absolute target must lie
 *       under the root, a relative one may not climb above it with {@code ..}. A link that leaves
 *       the root is refused; a link that points back to a directory being walked, or a chain of
 *       more than {@value #MAX_LINK_HOPS} links, is a loop. Both problems name the link.
 *   <li><b>Depth</b>: directories nest at most {@value #MAX_DEPTH} levels below the mount root
 *       (kubelet items included); one level more is a problem that names the directory.
 *   <li><b>Size</b>: at most {@value #MAX_ENTRIES} entries in one mount.
 *   <li><b>Volumes</b>: a directory holding {@code ..data} is a Kubernetes volume; its values are
 *       read as one generation through the timestamped directory's handle, retried while {@code
 *       ..data} moves. Its top-level links are neither listed nor walked.
 *   <li><b>Cost</b>: per file one {@code fstatat}, the open, positional reads and the close; the
 *       generation's names are not sorted and the secrets go straight into the snapshot's map.
 *   <li><b>Errors</b>: a problem (escaping link, loop, too deep, vanished directory, collision,
 *       volume being written) is recorded with one message, skipped, and the walk goes on; the
 *       reader refuses a scan with problems, the fingerprint includes them, the watcher skips what
 *       they name.
 * </ul>
 *
 * <p>Every directory is opened relative to its parent's handle and every file relative to its
 * directory's handle, both without following links (see {@link MountDirectory}), so renames between
 * two system calls cannot make the scan read from outside the mount. Hard links cannot be told
 * apart from the file they link to; see {@code docs/reliability.md}.
 *
 * <p>Not thread-safe: one instance is one walk, run on one thread (a {@link BoundedRead}).
 *
 * <p>Why one long class: it replaced four walks that each had their own rules, and the link, depth,
 * loop and error rules stay one set only while they live in one walk. What needs no walk state is
 * already apart ({@link MountDirectory} opens, {@link BoundedRead} bounds the time); the lexical
 * link resolution is the next part to move out if it grows.
 */
final class MountScan {

  /** The kubelet's commit link: a directory holding it is a volume. */
  static final String DATA = "..data";

  /** How many directory levels below the mount root are walked. */
  static final int MAX_DEPTH = 32;

  /** How many links one resolution may pass through before it is called a loop (Linux's limit). */
  static final int MAX_LINK_HOPS = 40;

  /** How many entries one mount may hold (a volume's top-level links are not counted). */
  static final int MAX_ENTRIES = 100_000;

  /** How many times a generation is read while {@code ..data} keeps moving. */
  static final int GENERATION_ATTEMPTS = 5;

  private static final int STABLE_READ_ATTEMPTS = 3;

  /**
   * What a scan collects. Both collect the directories to watch (the root, plain directories,
   * volume directories) and yield the same {@link #fingerprint()} for the same mount.
   */
  enum Reach {
    /** Each volume's {@code ..data} target and each plain file's identity ({@code lstat} only). */
    IDENTITIES,
    /** Everything, with the values of every file, generations included. */
    VALUES
  }

  /** Lets tests change the tree at a precise point of the walk, and count walks. */
  interface Observer {
    // A class, not a lambda: every store uses it, and a first build links each lambda it meets.
    Observer NONE =
        new Observer() {
          @Override
          public void beforeOpeningDirectory(Path shown) {}
        };

    void beforeOpeningDirectory(Path shown) throws IOException;

    /** Called as a walk of the mount starts. */
    default void scanStarted(Reach reach) {}
  }

  /** A plain file's identity as the scan saw it, for the fingerprint. */
  private record PlainFile(Path shown, long size, long modifiedNanos, Object fileKey) {}

  /** A Kubernetes volume and the {@code ..data} target it was read through. */
  record Volume(Path directory, String dataTarget) {}

  /**
   * Something the scan refused; {@code message} is the one every path reports. {@code
   * inGeneration}: met while reading a generation's values, which only a {@link Reach#VALUES} scan
   * does, so it takes no part in the fingerprint.
   */
  record Problem(Path path, String message, boolean inGeneration) {}

  private final Path root;
  private final Path realRoot;
  private final String prefix;
  private final Reach reach;
  private final SecretFileReader files;
  private final Set<Path> knownVolumes;
  private final Observer observer;
  private final BoundedRead.Tracker tracker;

  // VALUES: every secret read, in walk order. Made into the snapshot's immutable map once, at the
  // end, which also finds names read twice: a sorted map cost a tenth of a 10,000-key read, and a
  // hash map filled here and then copied still cost a seventh of a 1,000-key one.
  private final ArrayList<Secret> found = new ArrayList<>();
  // Both reaches: the plain files' names, so collisions between them are met by polls too.
  private final Map<String, Path> plainNames = new HashMap<>();
  private List<Problem> problems = new ArrayList<>();
  private final List<Volume> volumes = new ArrayList<>();
  private final List<Path> directories = new ArrayList<>();
  // The plain (not generation) files in walk order, for the fingerprint.
  private final List<PlainFile> plainFiles = new ArrayList<>();
  private int entries;
  // While a generation is read: the origin its files share (the volume as shown and the names'
  // prefix there, so origins are relative to the volume rather than to the timestamped directory).
  private OriginDirectory generationOrigin;
  private final ByteBuffer probe = ByteBuffer.allocate(1);

  /**
   * A directory being walked: its open handle, its components below the real root, its path as
   * shown, the prefix of its names, and inside a generation its path relative to the volume.
   */
  private final class Directory {
    final MountDirectory handle;
    final List<String> real;
    final Path shown;
    final String namePrefix;
    // "" at the top of a generation, "a/b" below it; null in a plain directory.
    final String relative;
    private OriginDirectory origin;

    Directory(
        MountDirectory handle, List<String> real, Path shown, String namePrefix, String relative) {
      this.handle = handle;
      this.real = real;
      this.shown = shown;
      this.namePrefix = namePrefix;
      this.relative = relative;
    }

    boolean inGeneration() {
      return relative != null;
    }

    /** The origin the files of this directory share: one per plain directory or generation. */
    OriginDirectory origin() {
      if (origin == null) {
        origin = inGeneration() ? generationOrigin : new OriginDirectory(shown, namePrefix);
      }
      return origin;
    }

    String key(String name) {
      return namePrefix.isEmpty() ? name : namePrefix + name;
    }

    /** A child's path relative to {@link #origin()}: its name, or its path in the generation. */
    String relativeOf(String name) {
      return relative == null || relative.isEmpty() ? name : relative + "/" + name;
    }

    /** The relative path a subdirectory {@code name} has, {@code null} outside generations. */
    String subdirectory(String name) {
      return relative == null ? null : relativeOf(name);
    }
  }

  /**
   * @param root the mount as configured (paths in messages and origins use it)
   * @param realRoot its real path, pinned by the reader
   * @param knownVolumes directories that were volumes at the last successful read
   */
  MountScan(
      Path root,
      Path realRoot,
      String prefix,
      Reach reach,
      SecretFileReader files,
      Set<Path> knownVolumes,
      Observer observer,
      BoundedRead.Tracker tracker) {
    this.root = root;
    this.realRoot = realRoot;
    this.prefix = prefix;
    this.reach = reach;
    this.files = files;
    this.knownVolumes = knownVolumes;
    this.observer = observer;
    this.tracker = tracker;
  }

  /** Walks the mount; the results are in the accessors afterwards. */
  MountScan run() throws IOException {
    observer.scanStarted(reach);
    tracker.opening(realRoot);
    try (MountDirectory top = MountDirectory.open(realRoot)) {
      tracker.opened();
      visit(new Directory(top, List.of(), root, prefix, null), 0);
    }
    return this;
  }

  /**
   * Every secret read ({@link Reach#VALUES}), by name, as one immutable map. A name read twice (a
   * plain file and a volume's item, or two items of a generation, such as {@code a.b} and {@code
   * a/b}) is recorded as a problem here, so call this before {@link #problems()}.
   */
  Map<String, Secret> secrets() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map.Entry<String, Secret>[] entries = new Map.Entry[found.size()];
    for (int i = 0; i < entries.length; i++) {
      Secret secret = found.get(i);
      entries[i] = Map.entry(secret.name(), secret);
    }
    try {
      return Map.ofEntries(entries);
    } catch (IllegalArgumentException duplicate) {
      // Rare: find every name taken twice and say which files to rename.
      Map<String, Secret> byName = new HashMap<>();
      for (Secret secret : found) {
        Secret other = byName.putIfAbsent(secret.name(), secret);
        if (other != null) {
          // Plain files meeting each other are found during the walk (polls see those too);
          // what is left involves a generation's items, which only a read sees.
          collision(shownOf(other), shownOf(secret), secret.name(), true);
        }
      }
      return Map.copyOf(byName);
    }
  }

  /** Every volume, with the {@code ..data} target read. */
  List<Volume> volumes() {
    return volumes;
  }

  /** The root, every plain directory and every volume directory (not the timestamped ones). */
  List<Path> directories() {
    return directories;
  }

  /** What was refused, in walk order (generations in no particular order). */
  List<Problem> problems() {
    return problems;
  }

  /**
   * The cheap identity the poller compares: directories, volume targets, plain file identities and
   * problems, in walk order. Canonical: what only a {@link Reach#VALUES} scan sees (the files and
   * problems inside a generation, which its {@code ..data} target already identifies) is left out,
   * so a read and a later {@link Reach#IDENTITIES} poll of an unchanged mount give equal strings.
   * (Not for a mount over {@link #MAX_ENTRIES} entries, which a read counts with its generations;
   * such a read fails, and a failing source is read at every poll anyway.)
   */
  String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (Path dir : directories) {
      sb.append(dir).append("/\n");
    }
    for (Volume v : volumes) {
      sb.append(v.directory()).append("->").append(v.dataTarget()).append('\n');
    }
    for (PlainFile f : plainFiles) {
      sb.append(f.shown())
          .append('=')
          .append(f.size())
          .append(':')
          .append(f.modifiedNanos())
          .append(':')
          .append(f.fileKey())
          .append('\n');
    }
    for (Problem p : problems) {
      if (!p.inGeneration()) {
        sb.append("!").append(p.message()).append('\n');
      }
    }
    return sb.toString();
  }

  private void problem(Path path, String message) {
    problems.add(new Problem(path, message, generationOrigin != null));
  }

  /**
   * Lists {@code dir} and counts its entries against {@link #MAX_ENTRIES}: the names (as
   * one-element relative paths, reused for every call on the entry), or {@code null} once the mount
   * holds too many (recorded as a problem).
   */
  private List<Path> listWithinLimit(Directory dir, boolean sorted) throws IOException {
    List<Path> names;
    try {
      names = dir.handle.list();
    } catch (java.nio.file.DirectoryIteratorException e) {
      throw files.cannotRead(dir.shown, true, e.getCause());
    } catch (IOException e) {
      throw files.cannotRead(dir.shown, true, e);
    }
    entries += names.size();
    if (entries > MAX_ENTRIES) {
      problem(
          dir.shown,
          "the mount holds more than "
              + MAX_ENTRIES
              + " entries (at "
              + dir.shown
              + "); mount a smaller directory");
      return null;
    }
    if (sorted) {
      // Plain directories are listed in name order, so walks and their problems come in one order.
      names.sort(MountScan::byName);
    }
    return names;
  }

  private void visit(Directory dir, int depth) throws IOException {
    Path shown = dir.shown;
    // A volume is known by its ..data link alone: its other entries (one top-level link per key)
    // are neither walked nor listed, which for 10,000 keys was a second listing as long as the
    // generation's.
    String target;
    try {
      target = dataTarget(dir.handle);
    } catch (java.nio.file.AccessDeniedException e) {
      target = null; // The listing below reports the directory as not readable, naming it.
    }
    if (target != null) {
      directories.add(shown);
      readVolume(dir, depth, target);
      return;
    }
    List<Path> names = listWithinLimit(dir, true);
    if (names == null) {
      return;
    }
    directories.add(shown);
    for (Path name : names) {
      if (name.toString().equals(DATA)) {
        // ..data that is not a link: reported there.
        readVolume(dir, depth, null);
        return;
      }
    }
    if (knownVolumes.contains(shown)) {
      problem(
          shown,
          shown
              + " lost its ..data link: the volume is being removed or rewritten; it is read again when it settles");
      return;
    }
    for (Path name : names) {
      if (SecretNames.isMachinery(name.toString())) {
        // Kubelet entries without ..data: the first generation of a volume is being written.
        problem(
            shown,
            shown
                + " has kubelet entries ("
                + name
                + ") but no ..data link yet: a volume is being written; it is read again when ..data appears");
        return;
      }
    }
    for (Path name : names) {
      String text = name.toString();
      if (SecretNames.isCandidate(text)) {
        visitEntry(dir, name, text, depth);
      }
    }
  }

  /**
   * One entry of a plain directory or a generation: a file is recorded, a directory walked, a link
   * resolved inside the mount first. Files of a plain directory may be rewritten in place; those of
   * a generation never change once written.
   */
  private void visitEntry(Directory dir, Path entry, String name, int depth) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = dir.handle.lstat(entry);
    } catch (NoSuchFileException e) {
      Path shown = dir.shown.resolve(name);
      problem(shown, vanished(shown));
      return;
    }
    if (attrs.isSymbolicLink()) {
      Path entryShown = dir.shown.resolve(name);
      Resolved target = resolve(dir.handle, dir.real, name, entryShown);
      if (target == null) {
        return;
      }
      if (target.attrs.isDirectory()) {
        if (isAncestor(target.components, append(dir.real, name))) {
          problem(
              entryShown,
              "link "
                  + entryShown
                  + " points back to "
                  + describe(target.components)
                  + ", which contains it: a loop; remove the link");
          return;
        }
        descend(dir, null, target.components, name, depth);
      } else if (target.attrs.isRegularFile() && reach == Reach.IDENTITIES) {
        addFile(dir, null, null, target.attrs, name);
      } else if (target.attrs.isRegularFile() && reach == Reach.VALUES) {
        try (MountDirectory parent = openPath(parentOf(target.components))) {
          addFile(dir, parent, Path.of(last(target.components)), target.attrs, name);
        } catch (NoSuchFileException | NotDirectoryException e) {
          problem(entryShown, changed(entryShown));
        }
      }
      return;
    }
    if (attrs.isDirectory()) {
      descend(dir, dir.handle, append(dir.real, name), name, depth);
    } else if (attrs.isRegularFile()) {
      addFile(dir, dir.handle, entry, attrs, name);
    }
    // Sockets, FIFOs and devices are not secrets: skipped.
  }

  /**
   * Walks the subdirectory {@code name} of {@code dir}, opened from {@code parent} by name, or from
   * the root when it was reached by a link.
   */
  private void descend(
      Directory dir, MountDirectory parent, List<String> real, String name, int depth)
      throws IOException {
    Path shown = dir.shown.resolve(name);
    if (depth + 1 > MAX_DEPTH) {
      problem(shown, tooDeep(shown));
      return;
    }
    observer.beforeOpeningDirectory(shown);
    MountDirectory child;
    try {
      tracker.opening(realRoot.resolve(String.join("/", real)));
      child = parent != null ? parent.openDirectory(last(real)) : openPath(real);
    } catch (NoSuchFileException e) {
      problem(shown, vanished(shown));
      return;
    } catch (NotDirectoryException e) {
      problem(shown, changed(shown));
      return;
    } catch (java.nio.file.AccessDeniedException e) {
      throw files.cannotRead(shown, true, e);
    } finally {
      tracker.opened();
    }
    try (child) {
      Directory sub =
          new Directory(child, real, shown, dir.key(name) + ".", dir.subdirectory(name));
      if (sub.inGeneration()) {
        visitGeneration(sub, depth + 1);
      } else {
        visit(sub, depth + 1);
      }
    }
  }

  private void visitGeneration(Directory dir, int depth) throws IOException {
    // Not sorted: a generation is read whole, whatever the order (problems are put in order when
    // reported), and sorting 10,000 names cost more than reading them.
    List<Path> names = listWithinLimit(dir, false);
    if (names == null) {
      return;
    }
    found.ensureCapacity(found.size() + names.size());
    // Everything in a generation is an item: the kubelet keeps its machinery beside it, and a
    // nested element may start with ".." (only the first element of an item path may not).
    for (Path name : names) {
      visitEntry(dir, name, name.toString(), depth);
    }
  }

  /**
   * Reads the volume {@code volume} as one generation.
   *
   * @param target what {@code ..data} pointed to a moment ago, or {@code null} if it was no link
   */
  private void readVolume(Directory volume, int depth, String target) throws IOException {
    Path shown = volume.shown;
    Path data = shown.resolve(DATA);
    String after = null;
    for (int attempt = 1; attempt <= GENERATION_ATTEMPTS; attempt++) {
      String before = attempt == 1 ? target : dataTarget(volume.handle);
      if (before == null) {
        problem(
            shown, data + " is not a symbolic link; this does not look like a Kubernetes volume");
        return;
      }
      if (reach != Reach.VALUES) {
        volumes.add(new Volume(shown, before));
        return;
      }
      int mark = found.size();
      List<Problem> outerProblems = problems;
      problems = new ArrayList<>();
      List<Problem> generationProblems;
      generationOrigin = new OriginDirectory(shown, volume.namePrefix);
      try {
        readGeneration(volume, data, before, depth);
      } finally {
        generationOrigin = null;
        generationProblems = problems;
        problems = outerProblems;
      }
      after = dataTarget(volume.handle);
      if (Objects.equals(before, after)) {
        volumes.add(new Volume(shown, before));
        if (generationProblems.size() > 1) {
          // A generation is listed unsorted: its problems are put in the order a sorted walk has
          // (only when there are any: a first build in a JVM pays for every lambda it links).
          generationProblems.sort((a, b) -> compareByElements(a.path(), b.path()));
        }
        problems.addAll(generationProblems);
        return;
      }
      // ..data moved while the generation was read: drop what was read, read the new one.
      found.subList(mark, found.size()).clear();
    }
    // Recorded as an identities scan would see it now, so the fingerprint stays canonical.
    volumes.add(new Volume(shown, after));
    problems.add(
        new Problem(
            shown,
            data
                + " changed during each of "
                + GENERATION_ATTEMPTS
                + " reads; the last good generation is kept and the volume is read again on the next change",
            true));
  }

  private void readGeneration(Directory volume, Path data, String target, int depth)
      throws IOException {
    Path shown = volume.shown;
    Resolved resolved = resolveText(volume.handle, volume.real, target, data);
    if (resolved == null) {
      return;
    }
    if (!resolved.attrs.isDirectory()) {
      problem(shown, data + " points to " + target + ", which is not a directory");
      return;
    }
    MountDirectory generation;
    try {
      tracker.opening(realRoot.resolve(String.join("/", resolved.components)));
      // The kubelet's generation sits beside ..data: open it from the volume's handle.
      generation =
          isChild(resolved.components, volume.real)
              ? volume.handle.openDirectory(last(resolved.components))
              : openPath(resolved.components);
    } catch (NoSuchFileException | NotDirectoryException e) {
      problem(shown, data + " points to " + target + ", which is missing or incomplete");
      return;
    } finally {
      tracker.opened();
    }
    try (generation) {
      visitGeneration(
          new Directory(generation, resolved.components, shown, volume.namePrefix, ""), depth);
    }
  }

  private static boolean isChild(List<String> candidate, List<String> of) {
    return candidate.size() == of.size() + 1 && candidate.subList(0, of.size()).equals(of);
  }

  private static String dataTarget(MountDirectory volume) throws IOException {
    try {
      return volume.readLink(DATA);
    } catch (NoSuchFileException | java.nio.file.NotLinkException e) {
      return null;
    }
  }

  /**
   * A regular file {@code name} of {@code dir}: its identity (and with {@link Reach#VALUES} its
   * value) is recorded. It is opened as {@code entry} in {@code handle}, which differs from {@code
   * dir} when it was reached by a link; {@code handle} is null with {@link Reach#IDENTITIES}.
   */
  private void addFile(
      Directory dir, MountDirectory handle, Path entry, BasicFileAttributes attrs, String name)
      throws IOException {
    if (reach == Reach.IDENTITIES) {
      if (!dir.inGeneration()) {
        plainFile(dir, name, attrs);
      }
      return;
    }
    if (attrs.size() > files.maxBytes()) {
      files.checkSize(dir.shown.resolve(name), attrs.size());
    }
    byte[] value;
    BasicFileAttributes identity = attrs;
    for (int attempt = 1; ; attempt++) {
      try {
        value = readOpened(handle, entry, dir.shown, name, identity.size());
      } catch (NoSuchFileException e) {
        Path shown = dir.shown.resolve(name);
        problem(shown, vanished(shown));
        return;
      }
      if (dir.inGeneration()) {
        // A generation's files are never rewritten: what was opened must have the size seen (no
        // second lstat, and no identity compared with itself).
        if (value.length == identity.size()) {
          break;
        }
        Path shown = dir.shown.resolve(name);
        problem(shown, files.keptChanging(shown, attempt));
        return;
      }
      BasicFileAttributes after;
      try {
        after = handle.lstat(entry);
      } catch (NoSuchFileException e) {
        Path shown = dir.shown.resolve(name);
        problem(shown, vanished(shown));
        return;
      }
      if (after.isRegularFile()
          && SecretFileReader.sameIdentity(identity, after)
          && value.length == after.size()) {
        break;
      }
      if (attempt == STABLE_READ_ATTEMPTS) {
        Path shown = dir.shown.resolve(name);
        problem(shown, files.keptChanging(shown, attempt));
        return;
      }
      identity = after;
    }
    String key = dir.key(name);
    if (!dir.inGeneration() && !plainFile(dir, name, identity)) {
      return;
    }
    found.add(new Secret(key, files.finish(value), dir.origin(), dir.relativeOf(name)));
  }

  /**
   * Records a plain file's identity; {@code false} when its name is taken by another plain file.
   */
  private boolean plainFile(Directory dir, String name, BasicFileAttributes identity) {
    Path shown = dir.shown.resolve(name);
    plainFiles.add(
        new PlainFile(
            shown,
            identity.size(),
            identity.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
            identity.fileKey()));
    Path other = plainNames.putIfAbsent(dir.key(name), shown);
    if (other != null) {
      collision(other, shown, dir.key(name), false);
      return false;
    }
    return true;
  }

  private static Path shownOf(Secret secret) {
    return ((SecretOrigin.File) secret.origin()).path();
  }

  /** Two files map to one key; named in walk order of a sorted listing, whichever came first. */
  private void collision(Path one, Path two, String key, boolean inGeneration) {
    Path first = compareByElements(one, two) <= 0 ? one : two;
    Path second = first == one ? two : one;
    problems.add(
        new Problem(
            second,
            first + " and " + second + " both map to the key '" + key + "'; rename one of them",
            inGeneration || generationOrigin != null));
  }

  private static int byName(Path a, Path b) {
    return a.toString().compareTo(b.toString());
  }

  /** Orders paths element by element, as a walk of name-sorted listings meets them. */
  static int compareByElements(Path a, Path b) {
    int n = Math.min(a.getNameCount(), b.getNameCount());
    for (int i = 0; i < n; i++) {
      int c = a.getName(i).toString().compareTo(b.getName(i).toString());
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.getNameCount(), b.getNameCount());
  }

  private byte[] readOpened(
      MountDirectory handle, Path entry, Path directoryShown, String name, long expectedSize)
      throws IOException {
    tracker.opening(handle.realPath, entry);
    SeekableByteChannel channel;
    try {
      channel = handle.openFile(entry);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw files.cannotRead(directoryShown.resolve(name), false, e);
    } finally {
      tracker.opened();
    }
    try (channel) {
      return files.read(channel, expectedSize, directoryShown, name, probe);
    }
  }

  /** The target of a link, resolved inside the mount, and its attributes. */
  private record Resolved(List<String> components, BasicFileAttributes attrs) {}

  private Resolved resolve(MountDirectory dir, List<String> real, String name, Path shown)
      throws IOException {
    String text;
    try {
      text = dir.readLink(name);
    } catch (NoSuchFileException | java.nio.file.NotLinkException e) {
      problem(shown, changed(shown));
      return null;
    }
    return resolveText(dir, real, text, shown);
  }

  /**
   * Resolves link text found in the directory {@code real} (components below the real root),
   * following further links the same way, never leaving the root.
   *
   * @return null after recording the problem (escape, loop, dangling)
   */
  private Resolved resolveText(MountDirectory dir, List<String> real, String text, Path link)
      throws IOException {
    List<String> done = new ArrayList<>();
    java.util.Deque<String> todo = new java.util.ArrayDeque<>();
    if (!pushTarget(text, real, done, todo)) {
      problem(link, outside(link));
      return null;
    }
    int hops = 1;
    BasicFileAttributes attrs = null;
    Map<List<String>, MountDirectory> opened = new HashMap<>();
    try {
      while (!todo.isEmpty()) {
        String element = todo.pollFirst();
        if (element.isEmpty() || element.equals(".")) {
          continue;
        }
        if (element.equals("..")) {
          if (done.isEmpty()) {
            problem(link, outside(link));
            return null;
          }
          done.remove(done.size() - 1);
          attrs = null;
          continue;
        }
        MountDirectory parent = directoryOf(done, dir, real, opened);
        BasicFileAttributes a;
        try {
          a = parent.lstat(element);
        } catch (NoSuchFileException e) {
          problem(link, dangling(link, text));
          return null;
        }
        if (a.isSymbolicLink()) {
          if (++hops > MAX_LINK_HOPS) {
            problem(
                link,
                "link "
                    + link
                    + " passes through more than "
                    + MAX_LINK_HOPS
                    + " links: a loop; remove the link");
            return null;
          }
          String next = parent.readLink(element);
          List<String> base = new ArrayList<>(done);
          done.clear();
          if (!pushTarget(next, base, done, todo)) {
            problem(link, outside(link));
            return null;
          }
          continue;
        }
        if (!a.isDirectory()
            && !todo.isEmpty()
            && todo.stream().anyMatch(s -> !s.isEmpty() && !s.equals("."))) {
          problem(link, dangling(link, text));
          return null;
        }
        done.add(element);
        attrs = a;
      }
      if (attrs == null) {
        // The link names a directory reached through ".." or ".": look at it.
        if (done.isEmpty()) {
          // Only directories are walked, and the root is one.
          return new Resolved(
              List.of(),
              java.nio.file.Files.readAttributes(
                  realRoot, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
        MountDirectory parent = directoryOf(done.subList(0, done.size() - 1), dir, real, opened);
        attrs = parent.lstat(last(done));
      }
      return new Resolved(List.copyOf(done), attrs);
    } catch (NotDirectoryException e) {
      problem(link, changed(link));
      return null;
    } finally {
      for (MountDirectory d : opened.values()) {
        d.close();
      }
    }
  }

  /**
   * Splits link text onto {@code todo}; returns false if an absolute target is not under the root.
   */
  private boolean pushTarget(
      String text, List<String> base, List<String> done, java.util.Deque<String> todo) {
    Path target = Path.of(text);
    List<String> elements = new ArrayList<>();
    if (target.isAbsolute()) {
      // Not normalized: "x/.." must fail where x does not exist, as the kernel would; the ".."
      // elements are resolved one by one below and may not climb above the root.
      // (Path.relativize normalizes, so the elements are taken one by one.)
      Path configured = root.toAbsolutePath();
      Path prefixPath =
          target.startsWith(realRoot)
              ? realRoot
              : target.startsWith(configured) ? configured : null;
      if (prefixPath == null) {
        return false;
      }
      for (int i = prefixPath.getNameCount(); i < target.getNameCount(); i++) {
        elements.add(target.getName(i).toString());
      }
      elements.removeIf(String::isEmpty);
    } else {
      done.addAll(base);
      for (Path p : target) {
        elements.add(p.toString());
      }
    }
    for (int i = elements.size() - 1; i >= 0; i--) {
      todo.addFirst(elements.get(i));
    }
    return true;
  }

  /**
   * The open directory at {@code components}: the scan's current one or one opened from the root.
   */
  private MountDirectory directoryOf(
      List<String> components,
      MountDirectory current,
      List<String> currentReal,
      Map<List<String>, MountDirectory> opened)
      throws IOException {
    if (components.equals(currentReal)) {
      return current;
    }
    List<String> key = List.copyOf(components);
    MountDirectory d = opened.get(key);
    if (d == null) {
      tracker.opening(realRoot.resolve(String.join("/", key)));
      try {
        d = openPath(key);
      } finally {
        tracker.opened();
      }
      opened.put(key, d);
    }
    return d;
  }

  /**
   * Opens the directory at {@code components} below the real root, one handle-relative step at a
   * time.
   */
  private MountDirectory openPath(List<String> components) throws IOException {
    MountDirectory d = MountDirectory.open(realRoot);
    for (String c : components) {
      MountDirectory next;
      try {
        next = d.openDirectory(c);
      } finally {
        d.close();
      }
      d = next;
    }
    return d;
  }

  private static boolean isAncestor(List<String> candidate, List<String> of) {
    return candidate.size() < of.size() && of.subList(0, candidate.size()).equals(candidate);
  }

  private String describe(List<String> components) {
    return components.isEmpty()
        ? root.toString()
        : root.resolve(String.join("/", components)).toString();
  }

  private static List<String> append(List<String> list, String element) {
    List<String> out = new ArrayList<>(list.size() + 1);
    out.addAll(list);
    out.add(element);
    return out;
  }

  private static List<String> parentOf(List<String> components) {
    return components.subList(0, components.size() - 1);
  }

  private static String last(List<String> components) {
    return components.get(components.size() - 1);
  }

  // The one wording of each problem, whichever walk meets it.

  private static String dangling(Path link, String text) {
    return "link " + link + " points to " + text + ", which does not exist; fix or remove the link";
  }

  private String outside(Path link) {
    return "link " + link + " resolves outside the mount " + realRoot + "; refusing to read it";
  }

  static String vanished(Path shown) {
    return shown + " vanished while the mount was read; it is read again when it settles";
  }

  static String changed(Path shown) {
    return shown
        + " changed while the mount was read (a link or directory was replaced); it is read again";
  }

  static String tooDeep(Path shown) {
    return "directories nest deeper than "
        + MAX_DEPTH
        + " levels below the mount (at "
        + shown
        + "); flatten the layout";
  }
}
