package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import jakarta.enterprise.event.Shutdown;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension;
import jakarta.enterprise.inject.build.compatible.spi.Parameters;
import jakarta.enterprise.inject.build.compatible.spi.SkipIfPortableExtensionPresent;
import jakarta.enterprise.inject.build.compatible.spi.Synthesis;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticBeanCreator;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticComponents;
import jakarta.enterprise.inject.build.compatible.spi.SyntheticObserver;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.enterprise.inject.spi.EventContext;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The CDI Lite side of secretsdk, for containers that run build-compatible extensions but not
 * portable ones (Quarkus ArC), registered through {@code
 * META-INF/services/jakarta.enterprise.inject.build.compatible.spi.BuildCompatibleExtension}. Where
 * {@link SecretsExtension} runs (Weld and other full CDI containers), this one is skipped, so
 * nothing is registered twice. It adds:
 *
 * <ul>
 *   <li>a {@code @Singleton} {@link SecretStore} bean: the store the secretsdk config source reads.
 *       The bean exists even when no mount is configured (a build-time extension cannot see the
 *       runtime configuration); injecting it then fails with a message saying to set {@code
 *       secretsdk.mounts};
 *   <li>{@link SecretsChanged} events, fired from application start ({@code
 *       jakarta.enterprise.event.Startup}) on every published change, and stopped at {@code
 *       Shutdown}, which also closes the store;
 *   <li>the {@code @Readiness} check {@code secretsdk} when the MicroProfile Health API is present
 *       at build time.
 * </ul>
 *
 * The {@code Signer} bean is not offered here: produce it with {@code Signer.local(store)} or
 * {@code Signer.sidecar(url)} (see {@code docs/microprofile.md}). The container calls this class
 * once, at build time; the nested classes are instantiated by the container at run time and are
 * public for that reason only. Thread-safe.
 */
@SkipIfPortableExtensionPresent(SecretsExtension.class)
public final class SecretsBuildCompatibleExtension implements BuildCompatibleExtension {

  private static final System.Logger LOG =
      System.getLogger(SecretsBuildCompatibleExtension.class.getName());
  private static final AtomicReference<Subscription> EVENTS = new AtomicReference<>();

  /** Called by {@link java.util.ServiceLoader}. */
  public SecretsBuildCompatibleExtension() {}

  /**
   * Registers the synthetic beans and observers; called by the container at build time.
   *
   * @param components where synthetic beans and observers are added
   */
  @Synthesis
  public void synthesis(SyntheticComponents components) {
    components
        .addBean(SecretStore.class)
        .type(SecretStore.class)
        .scope(Singleton.class)
        .createWith(StoreCreator.class);
    components.addObserver(Startup.class).observeWith(StartEvents.class);
    components.addObserver(Shutdown.class).observeWith(StopEvents.class);
    if (SecretsSources.healthApiPresent()) {
      LiteHealthRegistration.add(components);
    }
  }

  /** The secretsdk source of the application's {@code Config}; fails naming the fix when absent. */
  static SecretsConfigSource requireSource() {
    SecretsConfigSource source = SecretsSources.find(ConfigProvider.getConfig());
    if (source == null) {
      throw new IllegalStateException(
          "no secretsdk config source: set the system property secretsdk.mounts (or the environment variable"
              + " SECRETSDK_MOUNTS) to the mounted secret directories, for example /etc/secrets/db=db");
    }
    return source;
  }

  /** Creates the {@link SecretStore} bean; instantiated by the container, not API. */
  public static final class StoreCreator implements SyntheticBeanCreator<SecretStore> {

    /** Called by the container. */
    public StoreCreator() {}

    @Override
    public SecretStore create(Instance<Object> lookup, Parameters params) {
      return requireSource().store();
    }
  }

  /**
   * Subscribes at application start and fires {@link SecretsChanged}; instantiated by the
   * container, not API.
   */
  public static final class StartEvents implements SyntheticObserver<Startup> {

    /** Called by the container. */
    public StartEvents() {}

    @Override
    public void observe(EventContext<Startup> event, Parameters params) {
      SecretsConfigSource source = SecretsSources.find(ConfigProvider.getConfig());
      if (source == null) {
        return;
      }
      Subscription subscription =
          source
              .store()
              .subscribe(
                  change ->
                      CDI.current()
                          .getBeanContainer()
                          .getEvent()
                          .select(SecretsChanged.class)
                          .fire(SecretsChanged.of(change)));
      Subscription previous = EVENTS.getAndSet(subscription);
      if (previous != null) {
        previous.close();
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          () -> "secretsdk: firing SecretsChanged for " + source.getName());
    }
  }

  /**
   * Stops the events and closes the provider's store at shutdown; instantiated by the container,
   * not API.
   */
  public static final class StopEvents implements SyntheticObserver<Shutdown> {

    /** Called by the container. */
    public StopEvents() {}

    @Override
    public void observe(EventContext<Shutdown> event, Parameters params) {
      Subscription subscription = EVENTS.getAndSet(null);
      if (subscription != null) {
        subscription.close();
      }
      SharedSecretStores.closeAll();
    }
  }
}
