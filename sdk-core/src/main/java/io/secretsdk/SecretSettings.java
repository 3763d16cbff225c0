package io.secretsdk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything that describes a store's mounted sources and how they are read and watched: the one
 * settings model that the core builder accepts ({@link
 * SecretStoreBuilder#settings(SecretSettings)}) and that the Spring Boot import and the
 * MicroProfile provider produce from their own property names. Every value is resolved: an option
 * that was not set holds its default, so there is no second spelling of "use the default" anywhere
 * downstream.
 *
 * <p>Defaults: watch with file-system events; poll every {@value #DEFAULT_POLL_SECONDS} s as a
 * safety net while watching, not at all otherwise; a {@value #DEFAULT_QUIET_MILLIS} ms quiet period
 * for plain directories; values up to 1 MiB ({@value #DEFAULT_MAX_SECRET_BYTES} bytes); bytes
 * verbatim (no trimming).
 *
 * <p>Immutable and thread-safe; equal settings describe the same store, so integrations may use
 * them as a key to share one.
 */
public final class SecretSettings {

  /** The default value size limit: 1 MiB, the Kubernetes Secret limit. */
  public static final long DEFAULT_MAX_SECRET_BYTES = 1024 * 1024;

  /** The default poll interval while watching, in seconds. */
  public static final int DEFAULT_POLL_SECONDS = 5;

  /** The default quiet period, in milliseconds. */
  public static final int DEFAULT_QUIET_MILLIS = 50;

  /**
   * The name of the size-limit setting in the core API, used in messages unless an integration
   * names its own.
   */
  public static final String CORE_MAX_SECRET_BYTES_SETTING = "maxSecretBytes(long)";

  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(DEFAULT_POLL_SECONDS);
  static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(DEFAULT_QUIET_MILLIS);
  static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);

  /**
   * One mounted directory: where it is, the prefix of its names, whether it may be missing, and
   * whether JSON-object values are expanded into {@code name.field} entries. The core reads the
   * directory and carries {@code jsonExpand}; the framework integrations do the expansion with
   * their own JSON libraries.
   *
   * @param root the directory, made absolute and normalized
   * @param prefix prepended to every name ({@code ""} for none), for example {@code "api."}
   * @param optional whether the directory may be missing (the store starts without it and picks it
   *     up when it appears)
   * @param jsonExpand whether the integration expands JSON-object values ({@code json=expand})
   */
  public record Mount(Path root, String prefix, boolean optional, boolean jsonExpand) {

    /** Checks and normalizes the components. */
    public Mount {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(prefix, "prefix");
      root = root.toAbsolutePath().normalize();
    }

    /** A required mount without prefix or JSON expansion. */
    public static Mount of(Path root) {
      return new Mount(root, "", false, false);
    }

    /** This mount with names prefixed by {@code prefix}. */
    public Mount withPrefix(String prefix) {
      return new Mount(root, prefix, optional, jsonExpand);
    }

    /** This mount, allowed to be missing or not. */
    public Mount withOptional(boolean optional) {
      return new Mount(root, prefix, optional, jsonExpand);
    }

    /** This mount with JSON expansion on or off. */
    public Mount withJsonExpand(boolean jsonExpand) {
      return new Mount(root, prefix, optional, jsonExpand);
    }
  }

  private final List<Mount> mounts;
  private final boolean watch;
  private final Duration pollInterval;
  private final Duration quietPeriod;
  private final long maxSecretBytes;
  private final String maxSecretBytesSetting;
  private final boolean trimTrailingNewline;

  private SecretSettings(Builder b) {
    this.mounts = List.copyOf(b.mounts);
    this.watch = b.watch;
    this.pollInterval =
        b.pollInterval != null ? b.pollInterval : (b.watch ? DEFAULT_POLL_INTERVAL : Duration.ZERO);
    this.quietPeriod = b.quietPeriod != null ? b.quietPeriod : DEFAULT_QUIET_PERIOD;
    this.maxSecretBytes = b.maxSecretBytes != 0 ? b.maxSecretBytes : DEFAULT_MAX_SECRET_BYTES;
    this.maxSecretBytesSetting = b.maxSecretBytesSetting;
    this.trimTrailingNewline = b.trimTrailingNewline;
  }

  /** A builder with every option at its default and no mounts. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mounted directories, in the order they are consulted. */
  public List<Mount> mounts() {
    return mounts;
  }

  /** Whether mounts are watched with file-system events. */
  public boolean watch() {
    return watch;
  }

  /** How often mounts are checked for changes events missed; {@link Duration#ZERO} for never. */
  public Duration pollInterval() {
    return pollInterval;
  }

  /** How long a plain directory must be quiet after an event before it is read. */
  public Duration quietPeriod() {
    return quietPeriod;
  }

  /** The largest value accepted, in bytes. */
  public long maxSecretBytes() {
    return maxSecretBytes;
  }

  /**
   * How the user sets {@link #maxSecretBytes()} in the integration that made these settings, named
   * by the error for an oversize file: {@value #CORE_MAX_SECRET_BYTES_SETTING} in the core, {@code
   * secretsdk.import.max-secret-bytes} in Spring Boot, {@code secretsdk.max-secret-bytes} in
   * MicroProfile.
   */
  public String maxSecretBytesSetting() {
    return maxSecretBytesSetting;
  }

  /** Whether one trailing line break is dropped from single-line values. */
  public boolean trimTrailingNewline() {
    return trimTrailingNewline;
  }

  /** Equal when every option and every mount is equal (the setting name included). */
  @Override
  public boolean equals(Object o) {
    return o instanceof SecretSettings other
        && mounts.equals(other.mounts)
        && watch == other.watch
        && pollInterval.equals(other.pollInterval)
        && quietPeriod.equals(other.quietPeriod)
        && maxSecretBytes == other.maxSecretBytes
        && maxSecretBytesSetting.equals(other.maxSecretBytesSetting)
        && trimTrailingNewline == other.trimTrailingNewline;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        mounts, watch, pollInterval, quietPeriod, maxSecretBytes, trimTrailingNewline);
  }

  /** Every option; settings hold no values, so this is safe to log. */
  @Override
  public String toString() {
    return "SecretSettings[mounts="
        + mounts
        + ", watch="
        + watch
        + ", pollInterval="
        + pollInterval
        + ", quietPeriod="
        + quietPeriod
        + ", maxSecretBytes="
        + maxSecretBytes
        + ", trimTrailingNewline="
        + trimTrailingNewline
        + "]";
  }

  /**
   * Collects settings; each option is checked as it is set, and set at most once. Not thread-safe.
   */
  public static final class Builder {

    private final List<Mount> mounts = new ArrayList<>();
    private boolean watch = true;
    private Duration pollInterval;
    private Duration quietPeriod;
    private long maxSecretBytes;
    private String maxSecretBytesSetting = CORE_MAX_SECRET_BYTES_SETTING;
    private boolean trimTrailingNewline;

    private Builder() {}

    /**
     * Adds a mounted directory.
     *
     * @throws IllegalArgumentException if the same directory was already added with the same prefix
     */
    public Builder mount(Mount mount) {
      Objects.requireNonNull(mount, "mount");
      for (Mount m : mounts) {
        if (m.root().equals(mount.root()) && m.prefix().equals(mount.prefix())) {
          throw new IllegalArgumentException("mount was already added: " + mount.root());
        }
      }
      mounts.add(mount);
      return this;
    }

    /** Whether to watch mounts with file-system events (default {@code true}). */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /**
     * How often to check mounts for changes that events missed (default {@value
     * SecretSettings#DEFAULT_POLL_SECONDS} s when watching, never otherwise); {@link Duration#ZERO}
     * turns polling off.
     *
     * @throws IllegalArgumentException if negative or between zero and 10 ms
     * @throws IllegalStateException if already set
     */
    public Builder pollInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (pollInterval != null) {
        throw new IllegalStateException("poll interval was already set to " + pollInterval);
      }
      if (interval.isNegative()) {
        throw new IllegalArgumentException("poll interval cannot be negative: " + interval);
      }
      if (!interval.isZero() && interval.compareTo(MIN_POLL_INTERVAL) < 0) {
        throw new IllegalArgumentException(
            "poll interval must be 0 (off) or at least 10ms: " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /**
     * How long a plain directory must be quiet after an event before it is read (default {@value
     * SecretSettings#DEFAULT_QUIET_MILLIS} ms).
     *
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException if already set
     */
    public Builder quietPeriod(Duration period) {
      Objects.requireNonNull(period, "period");
      if (quietPeriod != null) {
        throw new IllegalStateException("quiet period was already set to " + quietPeriod);
      }
      if (period.isNegative()) {
        throw new IllegalArgumentException("quiet period cannot be negative: " + period);
      }
      this.quietPeriod = period;
      return this;
    }

    /**
     * The largest value accepted, in bytes (default 1 MiB).
     *
     * @throws IllegalArgumentException unless between 1 and 2 GiB
     * @throws IllegalStateException if already set
     */
    public Builder maxSecretBytes(long bytes) {
      if (maxSecretBytes != 0) {
        throw new IllegalStateException("maximum secret size was already set to " + maxSecretBytes);
      }
      if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "maximum secret size must be between 1 and 2 GiB: " + bytes);
      }
      this.maxSecretBytes = bytes;
      return this;
    }

    /**
     * How the user sets the size limit in this integration, for the oversize error message (default
     * {@value SecretSettings#CORE_MAX_SECRET_BYTES_SETTING}), for example {@code
     * secretsdk.max-secret-bytes}.
     */
    public Builder maxSecretBytesSetting(String setting) {
      Objects.requireNonNull(setting, "setting");
      if (setting.isBlank()) {
        throw new IllegalArgumentException("setting name cannot be blank");
      }
      this.maxSecretBytesSetting = setting;
      return this;
    }

    /**
     * Whether to drop one trailing line break ({@code \n} or {@code \r\n}) from single-line values,
     * as Spring Boot's {@code configtree:} does (default {@code false}).
     */
    public Builder trimTrailingNewline(boolean trim) {
      this.trimTrailingNewline = trim;
      return this;
    }

    /** The settings, with every option not set resolved to its default. */
    public SecretSettings build() {
      return new SecretSettings(this);
    }
  }
}
