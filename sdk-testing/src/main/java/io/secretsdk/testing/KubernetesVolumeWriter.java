package io.secretsdk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a directory exactly the way the kubelet's {@code AtomicWriter} writes a Secret, projected
 * or service-account volume, or (with {@link Order#CSI_DRIVER}) the way the Secrets Store CSI
 * driver and older kubelets do.
 *
 * <p>Each {@link #write} whose payload differs from the current one:
 *
 * <ol>
 *   <li>creates {@code ..YYYY_MM_DD_HH_MM_SS.<random>} (mode 0700, then 0755);
 *   <li>writes every item into it, in random order, nested paths included, each chmod'ed to the
 *       default mode;
 *   <li>points {@code ..data_tmp} at it and renames {@code ..data_tmp} over {@code ..data} (the
 *       atomic commit);
 *   <li>links each new top-level name ({@code name -> ..data/name}); a nested item gets one link
 *       for its first path element;
 *   <li>unlinks top-level names whose items were removed;
 *   <li>deletes the previous timestamped directory.
 * </ol>
 *
 * With {@link Order#CSI_DRIVER}, step 4 runs before step 3, so a new key's link dangles until the
 * rename. A payload equal to the current one writes nothing, as the kubelet does.
 *
 * <p>Item paths are validated as the kubelet validates them: relative, no {@code ..} element, not
 * starting with {@code ..}, key characters {@code [-._a-zA-Z0-9]}. Not thread-safe: one writer per
 * volume, used from one thread at a time.
 */
public final class KubernetesVolumeWriter {

  /** The order in which the user-visible links and the {@code ..data} swap happen. */
  public enum Order {
    /** The current kubelet: swap {@code ..data}, then create new top-level links. */
    KUBELET,
    /**
     * The Secrets Store CSI driver and older kubelets: new top-level links first, then the swap.
     */
    CSI_DRIVER
  }

  static final String DATA = "..data";
  static final String DATA_TMP = "..data_tmp";
  private static final Pattern SEGMENT = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss").withZone(ZoneOffset.UTC);

  private final Path volume;
  private final Order order;
  private final Random random;
  private final Clock clock;
  private Set<PosixFilePermission> fileMode = PosixFilePermissions.fromString("rw-r--r--");
  private int generations;

  private KubernetesVolumeWriter(Path volume, Order order, Random random, Clock clock) {
    this.volume = Objects.requireNonNull(volume, "volume");
    this.order = Objects.requireNonNull(order, "order");
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A writer that follows the current kubelet's order. The directory is created if missing. */
  public static KubernetesVolumeWriter kubelet(Path volume) {
    return new KubernetesVolumeWriter(volume, Order.KUBELET, new Random(), Clock.systemUTC());
  }

  /** A writer that follows the CSI driver's order (links before the swap). */
  public static KubernetesVolumeWriter csiDriver(Path volume) {
    return new KubernetesVolumeWriter(volume, Order.CSI_DRIVER, new Random(), Clock.systemUTC());
  }

  /** A writer with the given order, a seeded random source for file order, and a clock. */
  public static KubernetesVolumeWriter of(Path volume, Order order, Random random, Clock clock) {
    return new KubernetesVolumeWriter(volume, order, random, clock);
  }

  /** The file mode items get, like a Secret volume's {@code defaultMode} (default 0644). */
  public KubernetesVolumeWriter defaultMode(String posixPermissions) {
    this.fileMode = PosixFilePermissions.fromString(posixPermissions);
    return this;
  }

  /** The volume directory. */
  public Path volume() {
    return volume;
  }

  /** How many generations this writer committed. */
  public int generations() {
    return generations;
  }

  /** Writes string items as UTF-8; see {@link #write(Map)}. */
  public boolean writeStrings(Map<String, String> items) {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    items.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return write(bytes);
  }

  /**
   * Makes the volume hold exactly {@code items} (path relative to the volume, {@code /} separated,
   * to bytes).
   *
   * @return {@code false} when the payload equals the current one and nothing was written
   */
  public boolean write(Map<String, byte[]> items) {
    Map<String, byte[]> payload = new TreeMap<>();
    items.forEach(
        (path, value) -> {
          validate(path);
          payload.put(path, Objects.requireNonNull(value, "value of " + path).clone());
        });
    try {
      Files.createDirectories(volume);
      String oldTarget = currentTarget();
      if (oldTarget != null && sameContent(volume.resolve(oldTarget), payload)) {
        return false;
      }
      // 1. The new timestamped directory.
      Path tsDir = newTimestampedDirectory();
      // 2. Every item, in random order.
      List<Map.Entry<String, byte[]>> shuffled = new ArrayList<>(payload.entrySet());
      Collections.shuffle(shuffled, random);
      for (Map.Entry<String, byte[]> item : shuffled) {
        Path file = tsDir.resolve(item.getKey());
        Files.createDirectories(file.getParent());
        Files.write(file, item.getValue());
        setPermissions(file, fileMode);
      }
      Set<String> newTopLevel = topLevelNames(payload.keySet());
      if (order == Order.CSI_DRIVER) {
        createTopLevelLinks(newTopLevel);
      }
      // 3. The atomic commit.
      Path tmp = volume.resolve(DATA_TMP);
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, Path.of(tsDir.getFileName().toString()));
      Files.move(
          tmp,
          volume.resolve(DATA),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      // 4. Links for names that have none yet.
      if (order == Order.KUBELET) {
        createTopLevelLinks(newTopLevel);
      }
      // 5. Unlink removed names.
      try (Stream<Path> entries = Files.list(volume)) {
        for (Path entry : (Iterable<Path>) entries::iterator) {
          String name = entry.getFileName().toString();
          if (!name.startsWith("..")
              && !newTopLevel.contains(name)
              && Files.isSymbolicLink(entry)) {
            Files.delete(entry);
          }
        }
      }
      // 6. The old generation goes.
      if (oldTarget != null && !oldTarget.equals(tsDir.getFileName().toString())) {
        deleteRecursively(volume.resolve(oldTarget));
      }
      generations++;
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write volume " + volume, e);
    }
  }

  /** Removes the whole volume directory, as when a pod's volume is torn down. */
  public void deleteVolume() {
    try {
      deleteRecursively(volume);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete volume " + volume, e);
    }
  }

  private String currentTarget() throws IOException {
    Path data = volume.resolve(DATA);
    if (!Files.isSymbolicLink(data)) {
      return null;
    }
    return Files.readSymbolicLink(data).toString();
  }

  private Path newTimestampedDirectory() throws IOException {
    String stamp = TIMESTAMP.format(clock.instant());
    while (true) {
      Path dir = volume.resolve(".." + stamp + "." + Integer.toUnsignedString(random.nextInt()));
      try {
        Files.createDirectory(dir);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        continue;
      }
      setPermissions(dir, PosixFilePermissions.fromString("rwx------"));
      setPermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    }
  }

  private void createTopLevelLinks(Set<String> names) throws IOException {
    for (String name : names) {
      Path link = volume.resolve(name);
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of(DATA, name));
      }
    }
  }

  private static Set<String> topLevelNames(Set<String> paths) {
    Set<String> names = new HashSet<>();
    for (String path : paths) {
      int slash = path.indexOf('/');
      names.add(slash < 0 ? path : path.substring(0, slash));
    }
    return names;
  }

  private static boolean sameContent(Path dir, Map<String, byte[]> payload) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    Map<String, byte[]> existing = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          byte[] bytes;
          try {
            bytes = Files.readAllBytes(file);
          } catch (java.nio.file.AccessDeniedException e) {
            // A generation written with defaultMode 000 (or any mode the writer cannot read) cannot
            // be compared: write a new generation, as the kubelet would for changed bytes.
            return false;
          }
          existing.put(
              dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"),
              bytes);
        }
      }
    }
    if (!existing.keySet().equals(payload.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : payload.entrySet()) {
      if (!Arrays.equals(e.getValue(), existing.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static void validate(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty() || path.startsWith("/") || path.startsWith("..")) {
      throw new IllegalArgumentException(
          "invalid item path (must be relative and not start with '..'): " + path);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || !SEGMENT.matcher(segment).matches()) {
        throw new IllegalArgumentException(
            "invalid item path element '" + segment + "' in: " + path);
      }
    }
  }

  private static void setPermissions(Path path, Set<PosixFilePermission> permissions)
      throws IOException {
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system; modes do not matter there.
    }
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> all = new ArrayList<>(paths.toList());
      Collections.reverse(all);
      for (Path p : all) {
        try {
          Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
          // Already gone.
        } catch (FileSystemException e) {
          throw e;
        }
      }
    }
  }
}
