package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.Signer;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Which {@link Signer} the CDI container offers, from MicroProfile Config (any source, including
 * {@code microprofile-config.properties}):
 *
 * <ul>
 *   <li>{@code secretsdk.signer.mode}: {@code local} signs in this process with keys from the
 *       secretsdk store; {@code sidecar} calls the signer sidecar in the same pod; unset, no
 *       {@code Signer} bean;
 *   <li>{@code secretsdk.signer.sidecar.url}: the sidecar's base URL ({@code http://host:port} or
 *       {@code unix:/path/to.sock}), default {@code
 *       http://127.0.0.1:8787}.
 * </ul>
 *
 * Immutable and thread-safe.
 */
final class SignerSettings {

  static final String MODE = "secretsdk.signer.mode";
  static final String SIDECAR_URL = "secretsdk.signer.sidecar.url";
  static final URI DEFAULT_SIDECAR_URL = Signer.DEFAULT_SIDECAR_URI;

  enum Mode {
    LOCAL,
    SIDECAR
  }

  private final Mode mode;
  private final URI sidecarUrl;

  private SignerSettings(Mode mode, URI sidecarUrl) {
    this.mode = mode;
    this.sidecarUrl = sidecarUrl;
  }

  /**
   * The settings in {@code config}, or empty when {@code secretsdk.signer.mode} is unset.
   *
   * @throws IllegalArgumentException naming the key and the bad value
   */
  static Optional<SignerSettings> from(Config config) {
    Optional<String> modeText = config.getOptionalValue(MODE, String.class);
    if (modeText.isEmpty() || modeText.get().isBlank()) {
      return Optional.empty();
    }
    Mode mode;
    switch (modeText.get().trim().toLowerCase(Locale.ROOT)) {
      case "local" -> mode = Mode.LOCAL;
      case "sidecar" -> mode = Mode.SIDECAR;
      default -> throw new IllegalArgumentException(MODE + " must be local or sidecar: " + modeText.get());
    }
    URI url = DEFAULT_SIDECAR_URL;
    Optional<String> urlText = config.getOptionalValue(SIDECAR_URL, String.class);
    if (urlText.isPresent() && !urlText.get().isBlank()) {
      try {
        url = URI.create(urlText.get().trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(SIDECAR_URL + " is not a URL: " + urlText.get(), e);
      }
      // unix:/path/to.sock reaches the sidecar over its Unix domain socket.
      boolean unixSocket = "unix".equalsIgnoreCase(url.getScheme()) && url.getPath() != null && url.getPath().startsWith("/");
      if (!unixSocket && (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null)) {
        throw new IllegalArgumentException(SIDECAR_URL + " must be an http URL with a host: " + urlText.get());
      }
    }
    return Optional.of(new SignerSettings(mode, url));
  }

  Mode mode() {
    return mode;
  }

  URI sidecarUrl() {
    return sidecarUrl;
  }

  /**
   * Creates the signer; {@code store} is the secretsdk store, or {@code null} when the config has
   * no secretsdk source.
   */
  Signer create(SecretStore store) {
    if (mode == Mode.SIDECAR) {
      return Signer.sidecar(sidecarUrl);
    }
    if (store == null) {
      throw new IllegalStateException(
          MODE + "=local needs the secretsdk config source: set secretsdk.mounts (or SECRETSDK_MOUNTS) to the directory holding the keys");
    }
    return Signer.local(store);
  }

  @Override
  public String toString() {
    return mode == Mode.LOCAL ? "SignerSettings[local]" : "SignerSettings[sidecar " + sidecarUrl + "]";
  }
}
