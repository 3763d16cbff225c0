package io.secretsdk.microprofile;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Which {@code io.secretsdk.signer.Signer} the CDI container offers, from MicroProfile Config (any
 * source, including {@code microprofile-config.properties}):
 *
 * <ul>
 *   <li>{@code secretsdk.signer.mode}: {@code local} signs in this process with keys from the
 *       secretsdk store; {@code sidecar} calls the signer sidecar in the same pod; unset, no {@code
 *       Signer} bean;
 *   <li>{@code secretsdk.signer.sidecar.url}: the sidecar's base URL ({@code http://host:port} or
 *       {@code unix:/path/to.sock}), default {@code http://127.0.0.1:8787}.
 * </ul>
 *
 * <p>Names no {@code Signer} type, so the extension can read these settings without the optional
 * {@code secretsdk-signer} on the class path; {@link SignerBeanRegistration} creates the signer.
 * Immutable and thread-safe.
 */
final class SignerSettings {

  static final String MODE = "secretsdk.signer.mode";
  static final String SIDECAR_URL = "secretsdk.signer.sidecar.url";

  /**
   * Equal to {@code Signer.DEFAULT_SIDECAR_URI} (checked by a test), without loading {@code
   * Signer}.
   */
  static final URI DEFAULT_SIDECAR_URL = URI.create("http://127.0.0.1:8787");

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
      default ->
          throw new IllegalArgumentException(MODE + " must be local or sidecar: " + modeText.get());
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
      boolean unixSocket =
          "unix".equalsIgnoreCase(url.getScheme())
              && url.getPath() != null
              && url.getPath().startsWith("/");
      if (!unixSocket && (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null)) {
        throw new IllegalArgumentException(
            SIDECAR_URL + " must be an http URL with a host: " + urlText.get());
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

  /** The definition error for this mode when {@code secretsdk-signer} is not on the class path. */
  String missingSignerMessage() {
    return MODE
        + "="
        + mode.name().toLowerCase(Locale.ROOT)
        + " needs io.secretsdk:secretsdk-signer, which is not on the class path:"
        + " add the dependency io.secretsdk:secretsdk-signer (same version as secretsdk-microprofile),"
        + " or unset "
        + MODE;
  }

  @Override
  public String toString() {
    return mode == Mode.LOCAL
        ? "SignerSettings[local]"
        : "SignerSettings[sidecar " + sidecarUrl + "]";
  }
}
