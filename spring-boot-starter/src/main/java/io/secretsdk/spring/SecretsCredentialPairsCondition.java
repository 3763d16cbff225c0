package io.secretsdk.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when at least one {@code secretsdk.credentials.<name>.*} property is set, so that without
 * one the starter creates no credential pair bean. Stateless and thread-safe.
 */
final class SecretsCredentialPairsCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    return SecretsCredentialPairRegistrar.configured(context.getEnvironment()).isEmpty()
        ? ConditionOutcome.noMatch("no secretsdk.credentials.* property")
        : ConditionOutcome.match("secretsdk.credentials.* is set");
  }
}
