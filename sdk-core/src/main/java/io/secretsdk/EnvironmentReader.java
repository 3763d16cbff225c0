package io.secretsdk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads environment variables as secrets, with the {@code NAME_FILE=/path} indirection the official
 * Docker images use. Environment variables never change while a process runs, but the files they
 * point to may, so {@link #read()} reads those files again each time.
 *
 * <p>With a prefix ({@code environment("APP_")}) the application named its variables, so a {@code
 * _FILE} variable whose file is missing or unreadable is an error. Without one, the whole process
 * environment is read, and unrelated variables such as {@code TF_CLI_CONFIG_FILE} may name files
 * that do not exist: those are skipped, logged once, and the name stays undefined.
 */
final class EnvironmentReader implements SourceReader {

  static final String FILE_SUFFIX = "_FILE";
  private static final System.Logger LOG = System.getLogger(EnvironmentReader.class.getName());

  private final String prefix;
  private final Supplier<Map<String, String>> environment;
  private final ReadSettings settings;
  private final String source;
  private final SecretFileReader files;
  private final boolean strict;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  EnvironmentReader(
      String prefix, Supplier<Map<String, String>> environment, ReadSettings settings) {
    this.prefix = prefix;
    this.environment = environment;
    this.settings = settings;
    this.source = prefix.isEmpty() ? "environment" : "environment:" + prefix + "*";
    this.files = new SecretFileReader(source, settings);
    this.strict = !prefix.isEmpty();
  }

  @Override
  public String source() {
    return source;
  }

  /**
   * The size, modification time and inode of each file named by a {@code NAME_FILE} variable
   * ({@code stat} only: never opens anything, so it cannot block), or empty when there is none.
   */
  @Override
  public String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (Path file : indirectFiles()) {
      sb.append(file).append('=');
      try {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        sb.append(attrs.size())
            .append(':')
            .append(attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS))
            .append(':')
            .append(attrs.fileKey());
      } catch (IOException e) {
        sb.append('!').append(BoundedRead.reason(e));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The files named by {@code NAME_FILE} variables, for polling. */
  List<Path> indirectFiles() {
    return environment.get().entrySet().stream()
        .filter(
            e ->
                e.getKey().startsWith(prefix)
                    && isFileVariable(e.getKey())
                    && !e.getValue().isEmpty())
        .map(e -> Path.of(e.getValue()).toAbsolutePath())
        .toList();
  }

  /**
   * Reads the variables and, on one bounded reading thread, the files they name. The fingerprint is
   * taken first, so a file that changes during the read shows at the next poll.
   */
  @Override
  public SourceRead readAll() {
    String fingerprint = fingerprint();
    try {
      Map<String, Secret> content =
          BoundedRead.call(source, "reading", settings.readTimeout(), this::readNow);
      return new SourceRead(Map.copyOf(content), null, fingerprint, null);
    } catch (SecretReadException e) {
      return SourceRead.failed(e, fingerprint, null);
    }
  }

  private Map<String, Secret> readNow(BoundedRead.Tracker tracker) {
    Map<String, String> env = environment.get();
    Map<String, Secret> out = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String variable = e.getKey();
      if (!variable.startsWith(prefix) || variable.length() == prefix.length()) {
        continue;
      }
      String name = variable.substring(prefix.length());
      if (isFileVariable(variable)) {
        String target = variable.substring(0, variable.length() - FILE_SUFFIX.length());
        name = target.substring(prefix.length());
        if (env.containsKey(target)) {
          throw new SecretReadException(
              source, "both " + target + " and " + variable + " are set; set only one of them");
        }
        if (e.getValue().isEmpty()) {
          skipOrFail(
              variable,
              new SecretReadException(
                  source,
                  variable + " is empty; set it to the path of the secret file or unset it"));
          continue;
        }
        Path file = Path.of(e.getValue()).toAbsolutePath();
        try {
          byte[] value = settings.finish(readFile(variable, file, tracker));
          out.put(name, new Secret(name, value, SecretOrigin.file(file)));
        } catch (NoSuchFileException ex) {
          skipOrFail(
              variable,
              new SecretReadException(
                  source,
                  variable
                      + " names "
                      + file
                      + ", which does not exist; mount the file or unset "
                      + variable,
                  ex));
        } catch (IOException ex) {
          skipOrFail(
              variable,
              new SecretReadException(
                  source,
                  variable + " names " + file + ", which cannot be read: " + BoundedRead.reason(ex),
                  ex));
        } catch (SecretReadException ex) {
          skipOrFail(variable, ex);
        }
      } else {
        byte[] value = settings.finish(e.getValue().getBytes(StandardCharsets.UTF_8));
        out.put(name, new Secret(name, value, SecretOrigin.environment(variable)));
      }
    }
    return out;
  }

  /**
   * Reads the file a variable names. Links are followed (the application chose the path, and
   * Kubernetes keys are links), but what is opened must be a regular file: the real path is checked
   * with {@code lstat}, opened without following links, and the opened channel must be seekable (a
   * FIFO renamed in between is not), with the same size and identity before and after.
   */
  private byte[] readFile(String variable, Path file, BoundedRead.Tracker tracker)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      Path real = file.toRealPath();
      BasicFileAttributes before =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!before.isRegularFile()) {
        throw new SecretReadException(
            source,
            variable
                + " names "
                + file
                + ", which is not a regular file ("
                + kind(before)
                + "); point it at the secret file");
      }
      files.checkSize(file, before.size());
      byte[] value;
      tracker.opening(real);
      SeekableByteChannel channel;
      try {
        channel =
            Files.newByteChannel(real, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
      } catch (NoSuchFileException ex) {
        throw ex;
      } catch (IOException ex) {
        throw files.cannotRead(file, false, ex);
      } finally {
        tracker.opened();
      }
      try (channel) {
        value = files.read(channel, before.size(), file, null, ByteBuffer.allocate(1));
      }
      BasicFileAttributes after =
          Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (SecretFileReader.sameIdentity(before, after) && after.size() == value.length) {
        return value;
      }
      if (attempt == 3) {
        throw new SecretReadException(source, files.keptChanging(file, attempt));
      }
    }
  }

  private static String kind(BasicFileAttributes attrs) {
    if (attrs.isDirectory()) {
      return "a directory";
    }
    return attrs.isOther() ? "a FIFO, socket or device" : "not a file";
  }

  private void skipOrFail(String variable, SecretReadException problem) {
    if (strict) {
      throw problem;
    }
    if (reported.add(variable)) {
      LOG.log(
          Level.INFO,
          problem.getMessage() + "; skipped (only environment(prefix) treats this as an error)");
    }
  }

  private boolean isFileVariable(String variable) {
    return variable.endsWith(FILE_SUFFIX)
        && variable.length() > prefix.length() + FILE_SUFFIX.length();
  }
}
