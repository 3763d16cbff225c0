package io.secretsdk.spring;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when exactly one {@code secrets:} location was imported, so that one store can be the
 * application's {@code SecretStore} bean. Stateless and thread-safe.
 */
final class SingleSecretsImportCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
    if (beanFactory == null || !beanFactory.containsSingleton(SecretsImports.BEAN_NAME)) {
      return ConditionOutcome.noMatch("no secrets: location was imported");
    }
    if (!(beanFactory.getSingleton(SecretsImports.BEAN_NAME) instanceof SecretsImports imports)) {
      return ConditionOutcome.noMatch(
          "bean '" + SecretsImports.BEAN_NAME + "' is not SecretsImports");
    }
    int size = imports.size();
    return size == 1
        ? ConditionOutcome.match("one secrets: location was imported")
        : ConditionOutcome.noMatch(
            size + " secrets: locations were imported; inject SecretsImports and pick one");
  }
}
