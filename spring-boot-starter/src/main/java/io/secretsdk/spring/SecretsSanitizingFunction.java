package io.secretsdk.spring;

import java.util.function.Predicate;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.util.PropertyPlaceholderHelper;

/**
 * Masks, in {@code /actuator/env} and {@code /actuator/configprops}, every value that comes from a
 * {@link SecretsPropertySource}, and every value that a placeholder copies from one (for example
 * {@code app.dbbean.password=${app.db.password}} or {@code
 * url=jdbc:...?password=${app.db.password}}, also through a chain of placeholders or a default),
 * even when the application shows values ({@code management.endpoint.env.show-values=always}).
 *
 * <p>A placeholder is followed to the property source that answers its name, in the environment's
 * order, as Spring resolves it. Stateless apart from the environment it reads; thread-safe.
 */
final class SecretsSanitizingFunction implements SanitizingFunction {

  /**
   * Placeholder chains deeper than this are masked: a loop or an absurd chain is no reason to show
   * a value.
   */
  private static final int MAX_DEPTH = 16;

  private static final PropertyPlaceholderHelper PLACEHOLDERS =
      new PropertyPlaceholderHelper("${", "}", ":", '\\', true);

  private final ConfigurableEnvironment environment;

  /**
   * @param environment the environment placeholders are followed in, or {@code null} to mask our
   *     sources only
   */
  SecretsSanitizingFunction(ConfigurableEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Predicate<SanitizableData> filter() {
    return data ->
        data.getPropertySource() instanceof SecretsPropertySource
            || (environment != null && copiesASecret(rawValue(data)));
  }

  @Override
  public SanitizableData apply(SanitizableData data) {
    return data.withSanitizedValue();
  }

  private static Object rawValue(SanitizableData data) {
    PropertySource<?> source = data.getPropertySource();
    if (source == null || data.getKey() == null) {
      return null;
    }
    try {
      return source.getProperty(data.getKey());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Whether {@code raw} holds a placeholder that resolves, directly or through others, from a
   * secrets source.
   */
  boolean copiesASecret(Object raw) {
    return raw instanceof String text && refersToSecret(text, 0);
  }

  private boolean refersToSecret(String text, int depth) {
    if (!text.contains("${")) {
      return false;
    }
    if (depth >= MAX_DEPTH) {
      return true;
    }
    boolean[] found = {false};
    PLACEHOLDERS.replacePlaceholders(
        text,
        name -> {
          if (found[0]) {
            return null;
          }
          PropertySource<?> source = firstSourceWith(name);
          if (source == null) {
            return null;
          }
          if (source instanceof SecretsPropertySource) {
            found[0] = true;
            return null;
          }
          Object value = source.getProperty(name);
          if (value instanceof String nested && refersToSecret(nested, depth + 1)) {
            found[0] = true;
          }
          // Never hand a nested placeholder back: the recursion above already followed it.
          return value == null ? null : "";
        });
    return found[0];
  }

  /** The source that answers {@code name}, skipping Boot's attached view over all sources. */
  private PropertySource<?> firstSourceWith(String name) {
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
        continue;
      }
      if (source.containsProperty(name)) {
        return source;
      }
    }
    return null;
  }
}
