package io.secretsdk.microprofile;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.Signer;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.inject.Singleton;

/**
 * Adds the {@link Signer} bean for the portable extension. Its own class, loaded only when {@code
 * secretsdk.signer.mode} is set and {@link SecretsSources#signerPresent()} said yes, so the
 * extension runs without the optional {@code secretsdk-signer}. Stateless.
 */
final class SignerBeanRegistration {

  private SignerBeanRegistration() {}

  /**
   * Adds a {@code @Singleton} {@link Signer} bean, closed with the container; {@code store} is the
   * secretsdk store, or {@code null} when the config has no secretsdk source (sidecar mode only).
   */
  static void add(AfterBeanDiscovery discovery, SignerSettings settings, SecretStore store) {
    discovery
        .<Signer>addBean()
        .beanClass(SecretsExtension.class)
        .types(Signer.class, Object.class)
        .qualifiers(Default.Literal.INSTANCE, Any.Literal.INSTANCE)
        .scope(Singleton.class)
        .createWith(context -> create(settings, store))
        .destroyWith((signer, context) -> signer.close());
  }

  private static Signer create(SignerSettings settings, SecretStore store) {
    if (settings.mode() == SignerSettings.Mode.SIDECAR) {
      return Signer.sidecar(settings.sidecarUrl());
    }
    if (store == null) {
      throw new IllegalStateException(
          SignerSettings.MODE
              + "=local needs the secretsdk config source: set secretsdk.mounts (or SECRETSDK_MOUNTS) to the directory holding the keys");
    }
    return Signer.local(store);
  }
}
