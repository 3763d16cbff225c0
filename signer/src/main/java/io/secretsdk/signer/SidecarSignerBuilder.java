package io.secretsdk.signer;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Configures a {@link Signer#sidecar(URI) sidecar client}: {@code http://host:port[/prefix]} for
 * TCP, {@code unix:/absolute/path.sock} (or {@code unix:///absolute/path.sock}) for a Unix domain
 * socket. Not thread-safe.
 */
public final class SidecarSignerBuilder {

  final String base;
  String host;
  int port;
  String hostHeader;
  String pathPrefix = "";
  Path socketPath;
  Duration connectTimeout = Duration.ofSeconds(1);
  Duration requestTimeout = Duration.ofSeconds(5);
  int retries = 2;
  Duration retryBackoff = Duration.ofMillis(50);
  int batchSize = 1000;
  int maxRequestBytes = 1024 * 1024;

  SidecarSignerBuilder(URI baseUri) {
    Objects.requireNonNull(baseUri, "baseUri");
    String scheme = baseUri.getScheme() == null ? "" : baseUri.getScheme().toLowerCase(Locale.ROOT);
    if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "signer sidecar URI must not have a query or fragment: " + baseUri);
    }
    if (scheme.equals("unix")) {
      String path = baseUri.getPath();
      if (path == null
          || !path.startsWith("/")
          || (baseUri.getHost() != null && !baseUri.getHost().isEmpty())) {
        throw new IllegalArgumentException(
            "signer sidecar unix: URI needs an absolute socket path, like unix:/run/signer/signer.sock: "
                + baseUri);
      }
      this.socketPath = Path.of(path);
      this.base = "unix:" + path;
      return;
    }
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(
          "signer sidecar URI must be http://host:port or unix:/path/to/socket (https is not served on loopback): "
              + baseUri);
    }
    if (baseUri.getHost() == null) {
      throw new IllegalArgumentException("signer sidecar URI has no host: " + baseUri);
    }
    String h = baseUri.getHost();
    this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    this.port = baseUri.getPort() < 0 ? 80 : baseUri.getPort();
    this.hostHeader = baseUri.getRawAuthority();
    String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.pathPrefix = path;
    this.base = "http://" + baseUri.getRawAuthority() + path;
  }

  /** How long to wait for a connection (default 1 s). */
  public SidecarSignerBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connect timeout");
    return this;
  }

  /** How long one request may take, from sending it to the end of its answer (default 5 s). */
  public SidecarSignerBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = positive(timeout, "request timeout");
    return this;
  }

  /**
   * How many times a request is retried after a connection failure or a {@code 408}/{@code
   * 502}/{@code 503}/{@code 504} answer (default 2; signing and verifying are idempotent). A
   * request that timed out waiting for its answer is not retried.
   */
  public SidecarSignerBuilder retries(int retries) {
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("retries must be between 0 and 10: " + retries);
    }
    this.retries = retries;
    return this;
  }

  /**
   * The pause before the first retry (default 50 ms), doubled for each further one, at most 1 s.
   */
  public SidecarSignerBuilder retryBackoff(Duration backoff) {
    Objects.requireNonNull(backoff, "backoff");
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("retry backoff cannot be negative: " + backoff);
    }
    this.retryBackoff = backoff;
    return this;
  }

  /**
   * The most messages sent in one batch request (default 1000); longer batches are split, and so is
   * a batch whose request body would exceed {@link #maxRequestBytes}.
   */
  public SidecarSignerBuilder batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1: " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /**
   * The largest request body a batch is allowed to produce (default 1 MiB, the sidecar's default
   * limit).
   */
  public SidecarSignerBuilder maxRequestBytes(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("max request bytes must be at least 1024: " + bytes);
    }
    this.maxRequestBytes = bytes;
    return this;
  }

  /** The client. It connects lazily, on the first request, and starts no thread. */
  public Signer build() {
    return new SidecarSigner(this);
  }

  private static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
    return d;
  }
}
