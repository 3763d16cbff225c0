package io.secretsdk.spring;

import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;

/**
 * Turns a {@link SecretsChangedEvent} into Spring Cloud's {@link EnvironmentChangeEvent}, so
 * {@code @ConfigurationProperties} beans rebind, and optionally refreshes every
 * {@code @RefreshScope} bean. Only created when Spring Cloud Context is present. Thread-safe.
 */
final class SecretsEnvironmentChangeListener implements ApplicationListener<SecretsChangedEvent> {

  private final ApplicationContext context;
  private final boolean environmentChangeEvent;
  private final RefreshScope refreshScope;

  /**
   * @param refreshScope the scope to refresh after each change, or {@code null} to leave
   *     {@code @RefreshScope} beans alone
   */
  SecretsEnvironmentChangeListener(
      ApplicationContext context, boolean environmentChangeEvent, RefreshScope refreshScope) {
    this.context = context;
    this.environmentChangeEvent = environmentChangeEvent;
    this.refreshScope = refreshScope;
  }

  @Override
  public void onApplicationEvent(SecretsChangedEvent event) {
    if (environmentChangeEvent) {
      // The source must be the context: ConfigurationPropertiesRebinder ignores other sources.
      context.publishEvent(new EnvironmentChangeEvent(context, event.getNames()));
    }
    if (refreshScope != null) {
      refreshScope.refreshAll();
    }
  }
}
