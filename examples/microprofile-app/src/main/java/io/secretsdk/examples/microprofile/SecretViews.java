package io.secretsdk.examples.microprofile;

import io.secretsdk.CredentialPairView;
import io.secretsdk.SecretStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Typed views of the mounted secrets as CDI beans, built on the {@link SecretStore} bean that
 * secretsdk provides (on Quarkus through its build-compatible extension). The same producer shape
 * gives a {@code TlsView} and its live {@code SSLContext} (see docs/microprofile.md).
 */
@ApplicationScoped
public class SecretViews {

  /**
   * The {@code kubernetes.io/basic-auth} pair mounted with prefix {@code admin}, from one
   * generation.
   */
  @Produces
  @Singleton
  CredentialPairView adminCredentials(SecretStore store) {
    return CredentialPairView.of(store, ServiceCredentials.USERNAME, ServiceCredentials.PASSWORD);
  }

  void close(@Disposes CredentialPairView view) {
    view.close();
  }
}
