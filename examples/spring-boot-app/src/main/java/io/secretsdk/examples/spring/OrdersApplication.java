package io.secretsdk.examples.spring;

import io.secretsdk.spring.SecretsBinding;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * An orders service whose secrets come from mounted Kubernetes Secrets through {@code
 * spring.config.import=secrets:...} and follow every rotation without a restart: the database
 * credential pair ({@link DatabaseCredentials}), API keys ({@link ApiKeys}), the HTTPS certificate
 * (profile {@code tls}) and, when a signer sidecar runs next to it, webhook signatures ({@link
 * WebhookController}).
 */
@SpringBootApplication
@EnableConfigurationProperties(ApiKeys.class)
public class OrdersApplication {

  /** The current credential pair, bound again after every change of the db Secret. */
  @Bean
  SecretsBinding<DatabaseCredentials> databaseCredentials() {
    return SecretsBinding.of(DatabaseCredentials.class);
  }

  /** Starts the service. */
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
