package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.inject.Singleton;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The CDI side of secretsdk, registered through {@code
 * META-INF/services/jakarta.enterprise.inject.spi.Extension} and therefore active only where a CDI
 * container runs. When the application's MicroProfile {@code Config} has a {@link
 * SecretsConfigSource}, it:
 *
 * <ul>
 *   <li>adds a {@code @Singleton} bean for the {@link SecretStore} that source reads, for binary
 *       secrets and for reading related values from one snapshot;
 *   <li>fires a {@link SecretsChanged} event every time that store publishes a change;
 *   <li>when the MicroProfile Health API is on the class path, adds the {@code @Readiness} check
 *       {@code secretsdk} ({@link SecretsHealthCheck}): status, source errors, snapshot age;
 *   <li>when {@code secretsdk.signer.mode} is {@code local} or {@code sidecar}, adds a
 *       {@code @Singleton} {@code io.secretsdk.signer.Signer} bean: {@code Signer.local(store)}
 *       over that store, or {@code Signer.sidecar(secretsdk.signer.sidecar.url)} (default {@code
 *       http://127.0.0.1:8787}); closed with the container. That needs the optional {@code
 *       io.secretsdk:secretsdk-signer}; without it such a mode is a definition error naming it.
 *       Nothing here mentions a {@code Signer} type ({@link SignerBeanRegistration} does), so the
 *       extension loads without that artifact;
 *   <li>on container shutdown, stops the events and, when the source came from {@link
 *       SecretsConfigSourceProvider}, closes its store (a store passed to {@link
 *       SecretsConfigSource#of} stays open: its builder owns it). After that the source keeps
 *       answering with the last values it had; a {@code Config} built afterwards gets a fresh
 *       store.
 * </ul>
 *
 * <p>Without such a source it adds nothing. The container calls it from its bootstrap and shutdown
 * threads; its state is published through volatile fields.
 */
public final class SecretsExtension implements Extension {

  private static final System.Logger LOG = System.getLogger(SecretsExtension.class.getName());

  private volatile SecretsConfigSource source;
  private volatile Subscription subscription;

  /** Called by {@link java.util.ServiceLoader}. */
  public SecretsExtension() {}

  void addBeans(@Observes AfterBeanDiscovery discovery) {
    Config config;
    try {
      config = ConfigProvider.getConfig();
    } catch (RuntimeException e) {
      // Building the Config failed. If secretsdk is why (a required mount is missing, a setting is
      // malformed), say so now: otherwise the first thing the user sees is WELD-001408
      // "Unsatisfied dependencies for type SecretStore", because the bean could not be added.
      Throwable ours = ConfigFailure.causedBySecretsdk(e);
      if (ours != null) {
        discovery.addDefinitionError(ours);
      } else {
        LOG.log(
            Level.DEBUG,
            () ->
                "secretsdk: no MicroProfile Config available to CDI ("
                    + e.getClass().getName()
                    + ")");
      }
      return;
    }
    SecretsConfigSource found = SecretsSources.find(config);
    source = found;
    SecretStore store = found == null ? null : found.store();
    if (store != null) {
      discovery
          .<SecretStore>addBean()
          .beanClass(SecretsExtension.class)
          .types(SecretStore.class, Object.class)
          .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
          .scope(Singleton.class)
          .createWith(context -> store);
      if (SecretsSources.healthApiPresent()) {
        HealthRegistration.add(discovery, found, config);
      }
    }
    Optional<SignerSettings> signer;
    try {
      signer = SignerSettings.from(config);
    } catch (IllegalArgumentException e) {
      discovery.addDefinitionError(e);
      return;
    }
    if (signer.isPresent()) {
      SignerSettings settings = signer.get();
      if (!SecretsSources.signerPresent()) {
        discovery.addDefinitionError(new IllegalStateException(settings.missingSignerMessage()));
        return;
      }
      if (settings.mode() == SignerSettings.Mode.LOCAL && store == null) {
        discovery.addDefinitionError(
            new IllegalStateException(
                SignerSettings.MODE
                    + "=local needs the secretsdk config source: set secretsdk.mounts (or SECRETSDK_MOUNTS) to the directory holding the keys"));
        return;
      }
      SignerBeanRegistration.add(discovery, settings, store);
    }
  }

  void fireChangeEvents(@Observes AfterDeploymentValidation validation, BeanManager beanManager) {
    SecretsConfigSource found = source;
    if (found == null) {
      return;
    }
    subscription =
        found
            .store()
            .subscribe(
                change ->
                    beanManager
                        .getEvent()
                        .select(SecretsChanged.class)
                        .fire(SecretsChanged.of(change)));
  }

  void stop(@Observes BeforeShutdown shutdown) {
    Subscription s = subscription;
    subscription = null;
    if (s != null) {
      s.close();
    }
    SecretsConfigSource found = source;
    source = null;
    if (found != null) {
      SharedSecretStores.release(found);
    }
  }
}
