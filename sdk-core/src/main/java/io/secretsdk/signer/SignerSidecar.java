package io.secretsdk.signer;

import io.secretsdk.SecretStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The signer sidecar: an HTTP server on loopback that signs and verifies with the HMAC keys in a
 * keys directory, so the application container in the same pod never sees them.
 *
 * <pre>
 * java -cp secretsdk-core.jar:jackson-core.jar io.secretsdk.signer.SignerSidecar \
 *     --keys-dir /etc/signer/keys [--listen 127.0.0.1:8787] [--grace PT24H]
 * </pre>
 *
 * <p>Programmatically (tests, benchmarks, embedding):
 *
 * <pre>{@code
 * try (SignerSidecar sidecar = SignerSidecar.builder()
 *         .keysDirectory(dir)
 *         .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .build()
 *         .start();
 *     Signer client = Signer.sidecar(sidecar.uri())) {
 *   client.sign("webhook-key", body);
 * }
 * }</pre>
 */
public final class SignerSidecar implements AutoCloseable {

  static {
    HttpServerSettings.applyDefaults();
  }

  /** The default port, {@code 8787}. */
  public static final int DEFAULT_PORT = 8787;

  private final Builder config;

  private SignerSidecar(Builder config) {
    this.config = config;
  }

  /** A builder; the default address is {@code 127.0.0.1:8787}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder configured from command-line arguments, exactly as {@link #main} reads them.
   *
   * @throws IllegalArgumentException with a message fit for the user when an argument is bad
   */
  public static Builder fromArguments(String... args) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Starts the sidecar from command-line arguments and runs until the process is stopped. */
  public static void main(String[] args) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Reads the keys directory, binds the address and starts serving.
   *
   * @return this sidecar, running
   * @throws java.io.UncheckedIOException if the address cannot be bound
   * @throws io.secretsdk.SecretException if the keys directory cannot be read
   * @throws IllegalStateException if it was already started
   */
  public SignerSidecar start() {
    throw new UnsupportedOperationException("not yet " + config);
  }

  /** The bound address (with the real port when port 0 was asked for). */
  public InetSocketAddress address() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The base URI clients use, for example {@code http://127.0.0.1:8787}. */
  public URI uri() {
    throw new UnsupportedOperationException("not yet");
  }

  /** The names and key ids of the current usable keys, sorted by name; never key bytes. */
  public Map<String, String> keyIds() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Stops serving, ends the threads and closes the store it opened. Idempotent. */
  @Override
  public void close() {}

  /** Configures a {@link SignerSidecar}. Not thread-safe. */
  public static final class Builder {

    Path keysDirectory;
    SecretStore store;
    InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    boolean allowNonLoopback;
    Duration grace = LocalSignerBuilder.DEFAULT_GRACE;
    int maxOldKeys = LocalSignerBuilder.DEFAULT_MAX_OLD_KEYS;
    int minKeyBytes = LocalSignerBuilder.DEFAULT_MIN_KEY_BYTES;
    Clock clock = Clock.systemUTC();
    int maxBodyBytes = 1024 * 1024;
    int maxBatch = 10_000;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors()) * 2;

    Builder() {}

    /** The directory whose files are the keys, named by file name; watched for rotations. */
    public Builder keysDirectory(Path dir) {
      this.keysDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Serves the keys of an existing store instead of a keys directory; the sidecar does not close
     * it.
     */
    public Builder store(SecretStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The address to bind (default {@code 127.0.0.1:8787}); port 0 picks a free port. */
    public Builder listen(InetSocketAddress address) {
      this.listen = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Whether a non-loopback address may be bound (default {@code false}). */
    public Builder allowNonLoopback(boolean allow) {
      this.allowNonLoopback = allow;
      return this;
    }

    /** How long rotated-out keys still verify (default 24 hours). */
    public Builder grace(Duration grace) {
      this.grace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /** How many previous keys per name are kept (default 4). */
    public Builder maxOldKeys(int maxOldKeys) {
      this.maxOldKeys = maxOldKeys;
      return this;
    }

    /** The shortest usable key in bytes (default 16). */
    public Builder minKeyBytes(int minKeyBytes) {
      this.minKeyBytes = minKeyBytes;
      return this;
    }

    /** The clock that times grace periods (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest request body accepted, in bytes (default 1 MiB); larger ones get {@code 413}. */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /** The most items in one batch request (default 10,000); more get {@code 413}. */
    public Builder maxBatch(int items) {
      this.maxBatch = items;
      return this;
    }

    /** How many request threads (default twice the processors, at least 4). */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Checks the configuration; nothing is read or bound until {@link SignerSidecar#start()}.
     *
     * @throws IllegalArgumentException if the configuration is invalid, for example a non-loopback
     *     address without {@link #allowNonLoopback(boolean)}
     */
    public SignerSidecar build() {
      return new SignerSidecar(this);
    }
  }
}
