package io.secretsdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Reads environment variables as secrets, with the {@code NAME_FILE=/path} indirection the
 * official Docker images use. Environment variables never change while a process runs, but the
 * files they point to may, so {@link #read()} reads those files again each time.
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

  EnvironmentReader(String prefix, Supplier<Map<String, String>> environment, ReadSettings settings) {
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

  @Override
  public String fingerprint() {
    return MountFingerprint.ofFiles(indirectFiles());
  }

  /** The files named by {@code NAME_FILE} variables, for polling. */
  List<Path> indirectFiles() {
    return environment.get().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix) && isFileVariable(e.getKey()))
        .map(e -> Path.of(e.getValue()).toAbsolutePath())
        .toList();
  }

  @Override
  public Map<String, Secret> read() {
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
        Path file = Path.of(e.getValue()).toAbsolutePath();
        try {
          byte[] value = settings.finish(files.readStable(file, file));
          out.put(name, new Secret(name, value, SecretOrigin.file(file)));
        } catch (NoSuchFileException ex) {
          skipOrFail(variable, new SecretReadException(
              source, variable + " names " + file + ", which does not exist; mount the file or unset " + variable, ex));
        } catch (IOException ex) {
          skipOrFail(variable, new SecretReadException(
              source, variable + " names " + file + ", which cannot be read: " + ex.getClass().getSimpleName(), ex));
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

  private void skipOrFail(String variable, SecretReadException problem) {
    if (strict) {
      throw problem;
    }
    if (reported.add(variable)) {
      LOG.log(Level.INFO, problem.getMessage() + "; skipped (only environment(prefix) treats this as an error)");
    }
  }

  private boolean isFileVariable(String variable) {
    return variable.endsWith(FILE_SUFFIX) && variable.length() > prefix.length() + FILE_SUFFIX.length();
  }
}
