package io.secretsdk.spring;

import java.util.function.Predicate;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks every value that comes from a {@link SecretsPropertySource} in {@code /actuator/env} and
 * {@code /actuator/configprops}, also when the application shows values ({@code
 * management.endpoint.env.show-values=always}). Stateless and thread-safe.
 */
final class SecretsSanitizingFunction implements SanitizingFunction {

  @Override
  public Predicate<SanitizableData> filter() {
    return data -> data.getPropertySource() instanceof SecretsPropertySource;
  }

  @Override
  public SanitizableData apply(SanitizableData data) {
    return data.withSanitizedValue();
  }
}
