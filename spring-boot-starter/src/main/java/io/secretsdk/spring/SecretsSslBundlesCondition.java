package io.secretsdk.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when at least one {@code secretsdk.ssl.bundle.<name>.*} property is set, so that without
 * SSL bundles the starter creates nothing for them. Stateless and thread-safe.
 */
final class SecretsSslBundlesCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    boolean any =
        Binder.get(context.getEnvironment())
            .bind(
                "secretsdk.ssl.bundle",
                Bindable.mapOf(String.class, SecretsSslProperties.Bundle.class))
            .map(map -> !map.isEmpty())
            .orElse(false);
    return any
        ? ConditionOutcome.match("secretsdk.ssl.bundle.* is set")
        : ConditionOutcome.noMatch("no secretsdk.ssl.bundle.* property");
  }
}
