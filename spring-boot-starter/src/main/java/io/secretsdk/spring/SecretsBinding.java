package io.secretsdk.spring;

import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Constructor-bound configuration properties (a {@code record}, or a class bound through its
 * constructor) that follow secret rotations: {@link #get()} returns an instance bound from the
 * current {@code Environment}, bound again after every {@link SecretsChangedEvent} (and Spring
 * Cloud's {@code EnvironmentChangeEvent}, for example after {@code /actuator/refresh}).
 *
 * <p>Such objects are immutable, so neither Spring Cloud's rebinder nor {@code @RefreshScope}
 * (which subclasses the bean, and a record is final) can make them follow a rotation. Declare a
 * binding bean instead and read through it:
 *
 * <pre>{@code
 * @ConfigurationProperties("app.db")
 * record DbCredentials(String username, String password) {}
 *
 * @Bean
 * SecretsBinding<DbCredentials> dbCredentials() {
 *   return SecretsBinding.of(DbCredentials.class);
 * }
 *
 * // where it is used: always the current pair, never a mix of two rotations
 * DbCredentials credentials = dbCredentials.get();
 * }</pre>
 *
 * <p>The first binding happens when the bean is initialized, so a binding error fails the start. A
 * later binding that fails keeps the last good instance and logs the error's type (not its message,
 * which could quote a value). Bean Validation annotations are not applied. Thread-safe: {@link
 * #get()} is one volatile read.
 *
 * @param <T> the bound type
 */
public final class SecretsBinding<T>
    implements Supplier<T>, EnvironmentAware, InitializingBean, SmartApplicationListener {

  private static final System.Logger LOG = System.getLogger(SecretsBinding.class.getName());
  private static final String ENVIRONMENT_CHANGE_EVENT =
      "org.springframework.cloud.context.environment.EnvironmentChangeEvent";

  private final String prefix;
  private final Class<T> type;
  private Environment environment;
  private volatile T current;

  private SecretsBinding(String prefix, Class<T> type) {
    this.prefix = prefix;
    this.type = type;
  }

  /**
   * A binding of {@code type} under the prefix of its {@link ConfigurationProperties} annotation.
   *
   * @throws IllegalArgumentException when {@code type} has no {@code @ConfigurationProperties}
   *     prefix
   */
  public static <T> SecretsBinding<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
    String prefix =
        annotation == null
            ? ""
            : annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException(
          type.getName()
              + " has no @ConfigurationProperties prefix: use SecretsBinding.of(prefix, type)");
    }
    return new SecretsBinding<>(prefix, type);
  }

  /** A binding of {@code type} under {@code prefix}, for example {@code "app.db"}. */
  public static <T> SecretsBinding<T> of(String prefix, Class<T> type) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(type, "type");
    return new SecretsBinding<>(prefix, type);
  }

  /** The prefix the type is bound under. */
  public String prefix() {
    return prefix;
  }

  /** The instance bound from the values current at the last change. */
  @Override
  public T get() {
    T value = current;
    if (value == null) {
      throw new IllegalStateException(
          "SecretsBinding of " + type.getName() + " is not bound yet: declare it as a bean");
    }
    return value;
  }

  /** Called by Spring. */
  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  /** Binds for the first time; a failure fails the start. Called by Spring. */
  @Override
  public void afterPropertiesSet() {
    current = bind();
  }

  /** Whether the event is a change this binding follows. Called by Spring. */
  @Override
  public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
    return SecretsChangedEvent.class.isAssignableFrom(eventType)
        || eventType.getName().equals(ENVIRONMENT_CHANGE_EVENT);
  }

  /** Binds again, keeping the last good instance when that fails. Called by Spring. */
  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (environment == null) {
      return;
    }
    try {
      current = bind();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot bind '"
              + prefix
              + "' to "
              + type.getName()
              + " after a change ("
              + e.getClass().getName()
              + "); keeping the last good instance");
    }
  }

  private T bind() {
    if (environment == null) {
      throw new IllegalStateException(
          "SecretsBinding of " + type.getName() + " has no environment");
    }
    return Binder.get(environment).bindOrCreate(prefix, Bindable.of(type));
  }

  @Override
  public String toString() {
    return "SecretsBinding[" + prefix + " -> " + type.getName() + "]";
  }
}
