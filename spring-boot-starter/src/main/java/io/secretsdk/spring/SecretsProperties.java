package io.secretsdk.spring;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code secretsdk.*} settings of the starter.
 *
 * <p>The {@code secretsdk.import.*} settings are read while {@code spring.config.import} is
 * processed, so set them where imports are declared (application properties, environment variables,
 * command line); per-import options in the location override them. They are listed here for IDE
 * metadata and {@code /actuator/configprops}, with the defaults the import applies; {@code
 * SecretsConfigDataLocationResolver} turns them into the core's {@code SecretSettings}.
 *
 * <p>Mutable bean bound by Spring; not thread-safe while binding, read-only afterwards.
 */
@ConfigurationProperties("secretsdk")
public class SecretsProperties {

  private final Import importDefaults = new Import();
  private final Refresh refresh = new Refresh();
  private final Signer signer = new Signer();

  /**
   * Credential pairs served by secrets: imports, by name: each one is a CredentialPairView bean
   * named <name>CredentialPairView (qualifier <name>).
   */
  private final Map<String, Credentials> credentials = new LinkedHashMap<>();

  /** Defaults for every {@code secrets:} import. */
  public Import getImport() {
    return importDefaults;
  }

  /** What happens when an imported secret changes. */
  public Refresh getRefresh() {
    return refresh;
  }

  /** The {@code Signer} bean. */
  public Signer getSigner() {
    return signer;
  }

  /**
   * Credential pairs served by {@code secrets:} imports, by name: each one becomes a {@code
   * CredentialPairView} bean named {@code <name>CredentialPairView} (qualifier {@code <name>}).
   */
  public Map<String, Credentials> getCredentials() {
    return credentials;
  }

  /**
   * One credential pair: two names served by one {@code secrets:} import, read from one generation.
   * Not thread-safe while binding.
   */
  public static class Credentials {

    /**
     * The name of the username as the import serves it, prefix included (for example
     * spring.datasource.username with [prefix=spring.datasource.]).
     */
    private String usernameKey = "username";

    /** The name of the password as the import serves it, prefix included. */
    private String passwordKey = "password";

    /**
     * The secrets: import that serves the pair, as written in spring.config.import (without
     * optional:). By default the import whose secrets include the username key; when several do,
     * the one listed last, as for properties.
     */
    private String location;

    /** Creates default settings, for binding. */
    public Credentials() {}

    /** The name of the username. */
    public String getUsernameKey() {
      return usernameKey;
    }

    /** Sets the name of the username. */
    public void setUsernameKey(String usernameKey) {
      this.usernameKey = usernameKey;
    }

    /** The name of the password. */
    public String getPasswordKey() {
      return passwordKey;
    }

    /** Sets the name of the password. */
    public void setPasswordKey(String passwordKey) {
      this.passwordKey = passwordKey;
    }

    /** The import that serves the pair, or {@code null} to find it by the username key. */
    public String getLocation() {
      return location;
    }

    /** Sets the import that serves the pair. */
    public void setLocation(String location) {
      this.location = location;
    }
  }

  /** Defaults for every {@code secrets:} import. Not thread-safe while binding. */
  public static class Import {

    /** Whether to drop one trailing line break from single-line values, as configtree: does. */
    private boolean trimTrailingNewline = true;

    /** Whether to watch imported directories for changes (file-system events plus polling). */
    private boolean watch = true;

    /**
     * How often to check imported directories for changes that events missed, for example 5s, 500ms
     * or PT5S (a bare number is milliseconds); 0 turns polling off. With watch=false and no value
     * set, imports are not polled.
     */
    // Literals, not the core's constants, so the configuration processor can put them in the IDE
    // metadata; SecretsConfigurationMetadataTests holds them equal to the core's defaults.
    private Duration pollInterval = Duration.ofSeconds(5);

    /** The largest secret accepted, in bytes (1 MiB, the Kubernetes Secret limit, by default). */
    private long maxSecretBytes = 1048576;

    /** Whether to drop one trailing line break from single-line values. */
    public boolean isTrimTrailingNewline() {
      return trimTrailingNewline;
    }

    /** Sets whether to drop one trailing line break from single-line values. */
    public void setTrimTrailingNewline(boolean trimTrailingNewline) {
      this.trimTrailingNewline = trimTrailingNewline;
    }

    /** Whether to watch imported directories. */
    public boolean isWatch() {
      return watch;
    }

    /** Sets whether to watch imported directories. */
    public void setWatch(boolean watch) {
      this.watch = watch;
    }

    /** The poll interval. */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /** Sets the poll interval. */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /** The largest secret accepted, in bytes. */
    public long getMaxSecretBytes() {
      return maxSecretBytes;
    }

    /** Sets the largest secret accepted. */
    public void setMaxSecretBytes(long maxSecretBytes) {
      this.maxSecretBytes = maxSecretBytes;
    }
  }

  /** What happens when an imported secret changes. Not thread-safe while binding. */
  public static class Refresh {

    /** Whether to publish a SecretsChangedEvent (and what follows from it) on every change. */
    private boolean enabled = true;

    /**
     * Whether to publish Spring Cloud's EnvironmentChangeEvent so @ConfigurationProperties beans
     * rebind.
     */
    private boolean environmentChangeEvent = true;

    /** Whether to refresh every @RefreshScope bean after a change (Spring Cloud Context). */
    private boolean refreshScope;

    /** Whether change events are published. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether change events are published. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Whether an EnvironmentChangeEvent is published. */
    public boolean isEnvironmentChangeEvent() {
      return environmentChangeEvent;
    }

    /** Sets whether an EnvironmentChangeEvent is published. */
    public void setEnvironmentChangeEvent(boolean environmentChangeEvent) {
      this.environmentChangeEvent = environmentChangeEvent;
    }

    /** Whether @RefreshScope beans are refreshed. */
    public boolean isRefreshScope() {
      return refreshScope;
    }

    /** Sets whether @RefreshScope beans are refreshed. */
    public void setRefreshScope(boolean refreshScope) {
      this.refreshScope = refreshScope;
    }
  }

  /** The {@code Signer} bean. Not thread-safe while binding. */
  public static class Signer {

    /**
     * Which signer to create: none (default), local (keys from the SecretStore bean) or sidecar.
     */
    private SignerMode mode = SignerMode.NONE;

    private final Sidecar sidecar = new Sidecar();

    /** Which signer to create. */
    public SignerMode getMode() {
      return mode;
    }

    /** Sets which signer to create. */
    public void setMode(SignerMode mode) {
      this.mode = mode;
    }

    /** The sidecar client settings. */
    public Sidecar getSidecar() {
      return sidecar;
    }
  }

  /** The signer sidecar client. Not thread-safe while binding. */
  public static class Sidecar {

    /** The sidecar's base URL, for example http://127.0.0.1:8787. */
    private URI url;

    /** How long to wait for a connection to the sidecar. */
    private Duration connectTimeout = Duration.ofSeconds(1);

    /** How long to wait for a sidecar response. */
    private Duration requestTimeout = Duration.ofSeconds(5);

    /** The sidecar's base URL. */
    public URI getUrl() {
      return url;
    }

    /** Sets the sidecar's base URL. */
    public void setUrl(URI url) {
      this.url = url;
    }

    /** The connect timeout. */
    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    /** Sets the connect timeout. */
    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    /** The request timeout. */
    public Duration getRequestTimeout() {
      return requestTimeout;
    }

    /** Sets the request timeout. */
    public void setRequestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
    }
  }

  /** Which {@code Signer} bean to create. */
  public enum SignerMode {
    /** No signer bean. */
    NONE,
    /** Sign in this process with keys read from the {@code SecretStore} bean. */
    LOCAL,
    /** Sign through the signer sidecar at {@code secretsdk.signer.sidecar.url}. */
    SIDECAR
  }
}
