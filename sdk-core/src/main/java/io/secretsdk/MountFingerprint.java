package io.secretsdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The cheap check the poller runs: each volume's {@code ..data} target and each plain file's
 * size, modification time and inode, without reading any value. Two equal fingerprints mean
 * nothing a reader would see has changed.
 */
final class MountFingerprint {

  private MountFingerprint() {}

  /** The fingerprint of a mount root, or {@code "missing"} when it does not exist. */
  static String of(Path root) {
    StringBuilder sb = new StringBuilder();
    try {
      if (!Files.isDirectory(root)) {
        return "missing";
      }
      append(root, sb, 0);
    } catch (IOException e) {
      // Something vanished or is unreadable: a distinct fingerprint makes the poller read, and
      // the read reports the problem properly.
      sb.append("!error:").append(e.getClass().getSimpleName());
    }
    return sb.toString();
  }

  /** The fingerprint of single files (the targets of {@code NAME_FILE} variables). */
  static String ofFiles(List<Path> files) {
    StringBuilder sb = new StringBuilder();
    for (Path file : files) {
      sb.append(file).append('=');
      try {
        appendIdentity(Files.readAttributes(file, BasicFileAttributes.class), sb);
      } catch (IOException e) {
        sb.append("!").append(e.getClass().getSimpleName());
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void append(Path dir, StringBuilder sb, int depth) throws IOException {
    if (depth > MountReader.MAX_DEPTH) {
      return;
    }
    String target = KubeletLayout.dataTarget(dir);
    if (target != null) {
      sb.append(dir).append("->").append(target).append('\n');
      return;
    }
    List<Path> entries = new ArrayList<>(MountReader.sortedEntries(dir));
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (!SecretNames.isCandidate(name)) {
        continue;
      }
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(entry, BasicFileAttributes.class);
      } catch (IOException e) {
        sb.append(entry).append("=!").append(e.getClass().getSimpleName()).append('\n');
        continue;
      }
      if (attrs.isDirectory()) {
        sb.append(entry).append("/\n");
        append(entry, sb, depth + 1);
      } else {
        sb.append(entry).append('=');
        if (Files.isSymbolicLink(entry)) {
          sb.append("->").append(Files.readSymbolicLink(entry)).append(':');
        }
        appendIdentity(attrs, sb);
        sb.append('\n');
      }
    }
  }

  private static void appendIdentity(BasicFileAttributes attrs, StringBuilder sb) {
    sb.append(attrs.size())
        .append(':')
        .append(attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS))
        .append(':')
        .append(attrs.fileKey());
  }
}
