package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Property-based tests of the naming and link rules, with bounded tries so they run in the normal
 * suite: every item path the kubelet accepts round-trips to its documented name, and every link is
 * resolved exactly as a model of the file system says (refused when it leaves the root).
 *
 * <p>The samples come from a seeded {@link Random}: a new seed each run (so runs explore different
 * inputs), printed in every failure, and fixed with {@code -Dsecretsdk.property.seed=<seed>} to
 * replay one. Plain JUnit rather than jqwik: jqwik 1.10 asks AI coding agents, which write part of
 * this project, not to use it.
 */
class NamePathPropertyTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  private static final long SEED = Long.getLong("secretsdk.property.seed", new Random().nextLong());

  private final Random random = new Random(SEED);

  // A key element as the kubelet validates it: [-._a-zA-Z0-9]+, not "." or "..".
  private String element() {
    String chars = "-._aZ09";
    while (true) {
      StringBuilder sb = new StringBuilder();
      int length = 1 + random.nextInt(6);
      for (int i = 0; i < length; i++) {
        sb.append(chars.charAt(random.nextInt(chars.length())));
      }
      String element = sb.toString();
      if (!element.equals(".") && !element.equals("..")) {
        return element;
      }
    }
  }

  private String itemPath() {
    while (true) {
      List<String> elements = new ArrayList<>();
      int size = 1 + random.nextInt(4);
      for (int i = 0; i < size; i++) {
        elements.add(element());
      }
      String path = String.join("/", elements);
      if (!path.startsWith("..")) {
        return path;
      }
    }
  }

  private List<String> itemPaths() {
    int size = 1 + random.nextInt(5);
    List<String> paths = new ArrayList<>();
    while (paths.size() < size) {
      String path = itemPath();
      if (!paths.contains(path)) {
        paths.add(path);
      }
    }
    return paths;
  }

  /**
   * Runs {@code property} on {@code tries} samples that {@code accepted} lets through (at most ten
   * times as many drawn), naming the seed and the sample in any failure.
   */
  private <T> void forAll(
      int tries,
      Supplier<T> samples,
      java.util.function.Predicate<T> accepted,
      Property<T> property)
      throws IOException {
    int checked = 0;
    for (int drawn = 0; checked < tries && drawn < tries * 10; drawn++) {
      T sample = samples.get();
      if (!accepted.test(sample)) {
        continue;
      }
      checked++;
      try {
        property.check(sample);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "property failed for sample "
                + sample
                + " (replay with -Dsecretsdk.property.seed="
                + SEED
                + ")",
            e);
      }
    }
    assertThat(checked).as("samples accepted (seed " + SEED + ")").isEqualTo(tries);
  }

  @FunctionalInterface
  private interface Property<T> {
    void check(T sample) throws IOException;
  }

  @Test
  void everyItemPathTheKubeletAcceptsRoundTripsToItsName() throws IOException {
    // Paths whose names collide (a.b and a/b), or where one item is another's directory, are
    // refused by the kubelet or by the collision rule; the round trip is about the others.
    forAll(
        60,
        this::itemPaths,
        paths -> uniqueNames(paths) && noItemIsADirectoryOfAnother(paths),
        this::roundTrips);
  }

  private static boolean uniqueNames(List<String> paths) {
    return paths.stream().map(p -> p.replace('/', '.')).distinct().count() == paths.size();
  }

  private void roundTrips(List<String> paths) throws IOException {
    Map<String, String> byName = new TreeMap<>();
    Map<String, String> items = new LinkedHashMap<>();
    for (String path : paths) {
      byName.put(path.replace('/', '.'), path);
      items.put(path, "value of " + path);
    }
    Path dir = Files.createTempDirectory("names");
    try {
      Path volume = dir.resolve("vol");
      KubernetesVolumeWriter.kubelet(volume).writeStrings(items);
      Map<String, Secret> read = new MountReader(volume, "p.", ReadSettings.defaults()).read();
      assertThat(read.keySet())
          .isEqualTo(byName.keySet().stream().map(n -> "p." + n).collect(Collectors.toSet()));
      for (Map.Entry<String, String> e : byName.entrySet()) {
        Secret s = read.get("p." + e.getKey());
        assertThat(s.asString()).isEqualTo("value of " + e.getValue());
        assertThat(s.origin().toString()).isEqualTo("file:" + volume.resolve(e.getValue()));
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static boolean noItemIsADirectoryOfAnother(List<String> paths) {
    for (String a : paths) {
      for (String b : paths) {
        if (b.startsWith(a + "/")) {
          return false;
        }
      }
    }
    return true;
  }

  /** Link text: relative or absolute, made of elements that exist or not, "." and "..". */
  private String linkText() {
    List<String> choices = List.of("..", ".", "a", "b", "x", "nope");
    List<String> elements = new ArrayList<>();
    int size = 1 + random.nextInt(6);
    for (int i = 0; i < size; i++) {
      elements.add(choices.get(random.nextInt(choices.size())));
    }
    String joined = String.join("/", elements);
    return switch (random.nextInt(4)) {
      case 0 -> joined;
      case 1 -> "ROOT/" + joined;
      case 2 -> "/" + joined;
      default -> "OUTSIDE/" + joined;
    };
  }

  enum Outcome {
    ESCAPES,
    MISSING,
    LOOP,
    DIRECTORY_B,
    FILE_X
  }

  @Test
  void everyLinkResolvesAsTheModelSaysAndNeverLeavesTheRoot() throws IOException {
    // The edge cases first, then random link texts.
    for (String edge :
        List.of(
            "..", ".", "x", "../b", "../a/x", "ROOT/..", "ROOT/.", "/..", "OUTSIDE/x", "../..")) {
      resolvesAsModelled(edge);
    }
    forAll(200, this::linkText, text -> true, this::resolvesAsModelled);
  }

  private void resolvesAsModelled(String text) throws IOException {
    Path dir = Files.createTempDirectory("links");
    try {
      Path outside = Files.createDirectories(dir.resolve("outside"));
      Files.writeString(outside.resolve("x"), "OUTSIDE-VALUE");
      Path root = Files.createDirectories(dir.resolve("root"));
      Files.createDirectories(root.resolve("a"));
      Files.createDirectories(root.resolve("b"));
      Files.writeString(root.resolve("a/x"), "in");
      String target =
          text.replace("ROOT/", root.toRealPath() + "/")
              .replace("OUTSIDE/", outside.toRealPath() + "/");
      Path link = Files.createSymbolicLink(root.resolve("a/link"), Path.of(target));

      Outcome expected = model(text);
      MountReader reader = new MountReader(root, "", ReadSettings.defaults());
      switch (expected) {
        case ESCAPES ->
            assertThatThrownBy(reader::read)
                .hasMessageContaining("link " + link + " resolves outside the mount");
        case MISSING ->
            assertThatThrownBy(reader::read)
                .hasMessageContaining(
                    "link " + link + " points to " + target + ", which does not exist");
        case LOOP ->
            assertThatThrownBy(reader::read)
                .hasMessageContaining("link " + link + " points back to")
                .hasMessageContaining("a loop");
        case DIRECTORY_B -> assertThat(reader.read()).containsOnlyKeys("a.x");
        case FILE_X -> {
          Map<String, Secret> read = reader.read();
          assertThat(read).containsOnlyKeys("a.x", "a.link");
          assertThat(read.get("a.link").asString()).isEqualTo("in");
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** The file system above as a model: root/{a/{x}, b/}; the link sits in root/a. */
  private static Outcome model(String text) {
    List<String> at;
    String rest;
    if (text.startsWith("ROOT/")) {
      at = new ArrayList<>();
      rest = text.substring(5);
    } else if (text.startsWith("/") || text.startsWith("OUTSIDE/")) {
      return Outcome.ESCAPES;
    } else {
      at = new ArrayList<>(List.of("a"));
      rest = text;
    }
    String[] elements = rest.split("/");
    for (int i = 0; i < elements.length; i++) {
      String e = elements[i];
      if (e.isEmpty() || e.equals(".")) {
        continue;
      }
      if (e.equals("..")) {
        if (at.isEmpty()) {
          return Outcome.ESCAPES;
        }
        at.remove(at.size() - 1);
        continue;
      }
      boolean exists =
          (at.isEmpty() && (e.equals("a") || e.equals("b")))
              || (at.equals(List.of("a")) && e.equals("x"));
      if (!exists || (at.equals(List.of("a")) && e.equals("x") && !restIsEmpty(elements, i + 1))) {
        return Outcome.MISSING;
      }
      at.add(e);
    }
    if (at.equals(List.of("a", "x"))) {
      return Outcome.FILE_X;
    }
    if (at.equals(List.of("b"))) {
      return Outcome.DIRECTORY_B;
    }
    return Outcome.LOOP; // the root or root/a: both contain the link
  }

  private static boolean restIsEmpty(String[] elements, int from) {
    for (int i = from; i < elements.length; i++) {
      if (!elements[i].isEmpty() && !elements[i].equals(".")) {
        return false;
      }
    }
    return true;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
