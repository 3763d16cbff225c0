package io.secretsdk;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Configures and builds a {@link SecretStore}. Options are checked as they are set. Not
 * thread-safe; use one builder from one thread.
 *
 * <p>Defaults (see {@link SecretSettings}): watch with file-system events, poll every 5 seconds as
 * a safety net, 50 ms quiet period for plain directories, values up to 1 MiB, bytes verbatim (no
 * trimming). Framework integrations describe their mounts as one {@link SecretSettings} and pass it
 * to {@link #settings(SecretSettings)}; the builder resolves every default before the store starts.
 */
public final class SecretStoreBuilder {

  /** What {@link #build()} hands to the store: every option resolved. */
  record Resolved(
      List<SourceSpec> sources,
      SecretSettings settings,
      Executor listenerExecutor,
      ScheduledExecutorService scheduler,
      Clock clock,
      Supplier<Map<String, String>> environment) {}

  private final List<SourceSpec> sources = new ArrayList<>();
  private final SecretSettings.Builder settings = SecretSettings.builder();
  private Executor listenerExecutor;
  private ScheduledExecutorService scheduler;
  // Read by the signer's LocalSigner (same package until the signer module takes it out).
  Clock clock = Clock.systemUTC();
  private Supplier<Map<String, String>> environment = System::getenv;

  SecretStoreBuilder() {}

  /**
   * Adds the mounts of {@code settings}, in order, and takes every other option from it (watch,
   * poll interval, quiet period, size limit and its setting name, trimming). The settings are
   * resolved, so options set here count as set: setting the poll interval, quiet period or size
   * limit again, before or after, is an error.
   *
   * @throws IllegalStateException if one of those options was already set
   * @throws IllegalArgumentException if one of its mounts was already added
   */
  public SecretStoreBuilder settings(SecretSettings settings) {
    Objects.requireNonNull(settings, "settings");
    for (SecretSettings.Mount mount : settings.mounts()) {
      addMount(mount);
    }
    this.settings
        .watch(settings.watch())
        .pollInterval(settings.pollInterval())
        .quietPeriod(settings.quietPeriod())
        .maxSecretBytes(settings.maxSecretBytes())
        .maxSecretBytesSetting(settings.maxSecretBytesSetting())
        .trimTrailingNewline(settings.trimTrailingNewline());
    return this;
  }

  /**
   * Adds a mounted directory. It may be a Kubernetes volume (has {@code ..data}), a directory
   * holding volumes in subdirectories (names then start with the subdirectory path, as with Spring
   * Boot's {@code configtree:}), or a plain directory of files (Docker {@code /run/secrets}, Vault
   * Agent output). The directory must exist when {@link #build()} runs.
   */
  public SecretStoreBuilder mount(Path root) {
    return mount(root, "");
  }

  /**
   * Adds a mounted directory whose names all start with {@code prefix}, for example {@code "api."}.
   */
  public SecretStoreBuilder mount(Path root, String prefix) {
    return addMount(root, prefix, false);
  }

  /**
   * Adds a mounted directory that may be missing: the store starts without it, says so in {@link
   * SecretStore#health()}, and picks it up when it appears.
   */
  public SecretStoreBuilder optionalMount(Path root) {
    return optionalMount(root, "");
  }

  /** Adds an optional mounted directory whose names all start with {@code prefix}. */
  public SecretStoreBuilder optionalMount(Path root, String prefix) {
    return addMount(root, prefix, true);
  }

  private SecretStoreBuilder addMount(Path root, String prefix, boolean optional) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(prefix, "prefix");
    return addMount(new SecretSettings.Mount(root, prefix, optional, false));
  }

  private SecretStoreBuilder addMount(SecretSettings.Mount mount) {
    settings.mount(mount);
    sources.add(new SourceSpec.Mount(mount.root(), mount.prefix(), mount.optional()));
    return this;
  }

  /**
   * Adds every environment variable under its own name. A variable {@code NAME_FILE=/path} makes
   * {@code NAME} read from that file, as the official Docker images do; having both {@code NAME}
   * and {@code NAME_FILE} set is an error. A {@code _FILE} variable whose file is missing or
   * unreadable is skipped and logged once, since the process environment holds variables of other
   * tools too; use {@link #environment(String)} to make that an error.
   */
  public SecretStoreBuilder environment() {
    return environment("");
  }

  /**
   * Adds the environment variables whose names start with {@code prefix}, named without it: {@code
   * environment("APP_")} turns {@code APP_DB_PASSWORD} into {@code DB_PASSWORD}.
   */
  public SecretStoreBuilder environment(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    for (SourceSpec spec : sources) {
      if (spec instanceof SourceSpec.Environment e && e.prefix().equals(prefix)) {
        throw new IllegalArgumentException(
            "environment was already added with prefix '" + prefix + "'");
      }
    }
    sources.add(new SourceSpec.Environment(prefix));
    return this;
  }

  /**
   * Whether to watch mounts with file-system events (default {@code true}). With {@code false}, the
   * store only polls if a {@link #pollInterval} is set, and otherwise reads on {@code build()} and
   * {@link SecretStore#refresh()} only.
   */
  public SecretStoreBuilder watch(boolean watch) {
    settings.watch(watch);
    return this;
  }

  /**
   * How often to check mounts for changes that events missed (default 5 s when watching, none
   * otherwise). The check compares each volume's {@code ..data} target and each plain file's size,
   * time and inode; it reads values only when those moved. {@link Duration#ZERO} turns polling off.
   */
  public SecretStoreBuilder pollInterval(Duration interval) {
    settings.pollInterval(interval);
    return this;
  }

  /**
   * How long a plain directory (no {@code ..data}) must be quiet after an event before it is
   * re-read (default 50 ms), so a file being written is read once, complete.
   */
  public SecretStoreBuilder quietPeriod(Duration period) {
    settings.quietPeriod(period);
    return this;
  }

  /** The largest value accepted, in bytes (default 1 MiB, the Kubernetes Secret limit). */
  public SecretStoreBuilder maxSecretBytes(long bytes) {
    settings.maxSecretBytes(bytes);
    return this;
  }

  /**
   * Whether to drop one trailing line break ({@code \n} or {@code \r\n}) from single-line values,
   * the way Spring Boot's {@code configtree:} does (default {@code false}: bytes are verbatim).
   * Multi-line values such as PEM files are never trimmed.
   */
  public SecretStoreBuilder trimTrailingNewline(boolean trim) {
    settings.trimTrailingNewline(trim);
    return this;
  }

  /**
   * Where listeners run (default: one daemon thread per store, {@code secretsdk-notify-<n>},
   * started with the first event delivered to a subscriber). Events are still handed over one at a
   * time, in order.
   */
  public SecretStoreBuilder listenerExecutor(Executor executor) {
    this.listenerExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Runs the store's event-triggered reads, quiet periods and polls on this executor instead of the
   * store's own {@code secretsdk-watch-<n>} thread. The store cancels its tasks on {@code close()}
   * but does not shut the executor down. Reads stay serialized whatever its size.
   */
  public SecretStoreBuilder scheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** The clock for {@code loadedAt} and health times (default UTC system clock). */
  public SecretStoreBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Replaces the process environment, for tests. */
  SecretStoreBuilder environmentVariables(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    this.environment = () -> copy;
    return this;
  }

  /**
   * Reads every source and returns the running store.
   *
   * @throws SecretReadException if a required mount is missing or any source cannot be read
   *     consistently; nothing is left running
   */
  public SecretStore build() {
    return LiveSecretStore.start(resolve());
  }

  /** Every option with its default filled in. */
  Resolved resolve() {
    return new Resolved(
        List.copyOf(sources), settings.build(), listenerExecutor, scheduler, clock, environment);
  }
}
