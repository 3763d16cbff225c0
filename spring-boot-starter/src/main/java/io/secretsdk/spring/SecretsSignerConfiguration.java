package io.secretsdk.spring;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.SidecarSignerBuilder;
import io.secretsdk.signer.Signer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link Signer} bean, chosen by {@code secretsdk.signer.mode}: {@code local} signs in this
 * process with keys from the {@link SecretStore} bean (following their rotation); {@code sidecar}
 * signs through the signer sidecar at {@code secretsdk.signer.sidecar.url}, so the key never enters
 * this process. Closed with the context. Imported by {@link SecretsAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = "io.secretsdk.signer.Signer") // secretsdk-signer is an optional dependency
class SecretsSignerConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "secretsdk.signer.mode", havingValue = "local")
  Signer localSigner(ObjectProvider<SecretStore> store) {
    SecretStore keys = store.getIfUnique();
    if (keys == null) {
      throw new IllegalStateException(
          "secretsdk.signer.mode=local needs one SecretStore bean: import exactly one secrets: location"
              + " (spring.config.import=secrets:/path/to/keys/) or define a SecretStore bean");
    }
    return Signer.local(keys);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "secretsdk.signer.mode", havingValue = "sidecar")
  Signer sidecarSigner(SecretsProperties properties) {
    SecretsProperties.Sidecar sidecar = properties.getSigner().getSidecar();
    if (sidecar.getUrl() == null) {
      throw new IllegalStateException(
          "secretsdk.signer.mode=sidecar needs secretsdk.signer.sidecar.url, for example http://127.0.0.1:8787");
    }
    SidecarSignerBuilder builder = Signer.sidecarBuilder(sidecar.getUrl());
    if (sidecar.getConnectTimeout() != null) {
      builder.connectTimeout(sidecar.getConnectTimeout());
    }
    if (sidecar.getRequestTimeout() != null) {
      builder.requestTimeout(sidecar.getRequestTimeout());
    }
    return builder.build();
  }
}
