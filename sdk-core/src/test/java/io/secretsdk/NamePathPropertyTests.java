package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based tests of the naming and link rules, with bounded tries so they run in the normal
 * suite: every item path the kubelet accepts round-trips to its documented name, and every link
 * is resolved exactly as a model of the file system says (refused when it leaves the root).
 */
class NamePathPropertyTests {

  // A key element as the kubelet validates it: [-._a-zA-Z0-9]+, not "." or "..".
  @Provide
  Arbitrary<String> element() {
    return Arbitraries.strings()
        .withChars("-._aZ09")
        .ofMinLength(1)
        .ofMaxLength(6)
        .filter(s -> !s.equals(".") && !s.equals(".."));
  }

  @Provide
  Arbitrary<String> itemPath() {
    return element()
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(elements -> String.join("/", elements))
        .filter(path -> !path.startsWith(".."));
  }

  @Provide
  Arbitrary<List<String>> itemPaths() {
    return itemPath().list().ofMinSize(1).ofMaxSize(5).uniqueElements();
  }

  @Property(tries = 60)
  void everyItemPathTheKubeletAcceptsRoundTripsToItsName(@ForAll("itemPaths") List<String> paths) throws IOException {
    Map<String, String> byName = new TreeMap<>();
    Map<String, String> items = new LinkedHashMap<>();
    for (String path : paths) {
      byName.put(path.replace('/', '.'), path);
      items.put(path, "value of " + path);
    }
    // Paths whose names collide (a.b and a/b), or where one item is another's directory, are
    // refused by the kubelet or by the collision rule; the round trip is about the others.
    Assume.that(byName.size() == paths.size() && noItemIsADirectoryOfAnother(paths));
    Path dir = Files.createTempDirectory("names");
    try {
      Path volume = dir.resolve("vol");
      KubernetesVolumeWriter.kubelet(volume).writeStrings(items);
      Map<String, Secret> read = new MountReader(volume, "p.", ReadSettings.defaults()).read();
      assertThat(read.keySet()).isEqualTo(byName.keySet().stream().map(n -> "p." + n).collect(Collectors.toSet()));
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
  @Provide
  Arbitrary<String> linkText() {
    Arbitrary<List<String>> elements = Arbitraries.of("..", ".", "a", "b", "x", "nope").list().ofMinSize(1).ofMaxSize(6);
    return Arbitraries.oneOf(
        elements.map(e -> String.join("/", e)),
        elements.map(e -> "ROOT/" + String.join("/", e)),
        elements.map(e -> "/" + String.join("/", e)),
        elements.map(e -> "OUTSIDE/" + String.join("/", e)));
  }

  enum Outcome { ESCAPES, MISSING, LOOP, DIRECTORY_B, FILE_X }

  @Property(tries = 200)
  void everyLinkResolvesAsTheModelSaysAndNeverLeavesTheRoot(@ForAll("linkText") String text) throws IOException {
    Path dir = Files.createTempDirectory("links");
    try {
      Path outside = Files.createDirectories(dir.resolve("outside"));
      Files.writeString(outside.resolve("x"), "OUTSIDE-VALUE");
      Path root = Files.createDirectories(dir.resolve("root"));
      Files.createDirectories(root.resolve("a"));
      Files.createDirectories(root.resolve("b"));
      Files.writeString(root.resolve("a/x"), "in");
      String target = text.replace("ROOT/", root.toRealPath() + "/").replace("OUTSIDE/", outside.toRealPath() + "/");
      Path link = Files.createSymbolicLink(root.resolve("a/link"), Path.of(target));

      Outcome expected = model(text);
      MountReader reader = new MountReader(root, "", ReadSettings.defaults());
      switch (expected) {
        case ESCAPES -> assertThatThrownBy(reader::read).hasMessageContaining("link " + link + " resolves outside the mount");
        case MISSING -> assertThatThrownBy(reader::read).hasMessageContaining("link " + link + " points to " + target + ", which does not exist");
        case LOOP -> assertThatThrownBy(reader::read).hasMessageContaining("link " + link + " points back to").hasMessageContaining("a loop");
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
          (at.isEmpty() && (e.equals("a") || e.equals("b"))) || (at.equals(List.of("a")) && e.equals("x"));
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
