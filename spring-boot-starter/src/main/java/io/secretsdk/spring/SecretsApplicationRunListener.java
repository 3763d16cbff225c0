package io.secretsdk.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closes the stores of a start that failed before they became the {@value SecretsImports#BEAN_NAME}
 * bean (for example when a later import is missing), so a failed start leaves no watcher thread
 * behind. Registered in {@code META-INF/spring.factories}; one instance per {@code
 * SpringApplication.run}, called on its thread.
 */
final class SecretsApplicationRunListener implements SpringApplicationRunListener {

  private ConfigurableBootstrapContext bootstrap;

  SecretsApplicationRunListener(SpringApplication application, String[] args) {}

  @Override
  public void starting(ConfigurableBootstrapContext bootstrapContext) {
    this.bootstrap = bootstrapContext;
  }

  @Override
  public void failed(ConfigurableApplicationContext context, Throwable exception) {
    if (bootstrap != null && bootstrap.isRegistered(SecretsImports.class)) {
      bootstrap.get(SecretsImports.class).close();
    }
  }
}
