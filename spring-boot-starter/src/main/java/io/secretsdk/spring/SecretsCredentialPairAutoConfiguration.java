package io.secretsdk.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * Credential pairs as beans: every {@code secretsdk.credentials.<name>} gives a core {@code
 * CredentialPairView} bean named {@code <name>CredentialPairView} with the qualifier {@code
 * <name>}, reading {@code username-key} and {@code password-key} (default {@code username} and
 * {@code password}, the {@code kubernetes.io/basic-auth} names) from one generation of the {@code
 * secrets:} import that serves them. Nothing is created without a {@code secretsdk.credentials.*}
 * property.
 */
@AutoConfiguration(after = SecretsAutoConfiguration.class)
@Conditional(SecretsCredentialPairsCondition.class)
@Import(SecretsCredentialPairRegistrar.class)
public final class SecretsCredentialPairAutoConfiguration {

  /** Created by Spring. */
  public SecretsCredentialPairAutoConfiguration() {}
}
