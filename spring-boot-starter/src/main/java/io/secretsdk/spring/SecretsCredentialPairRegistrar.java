package io.secretsdk.spring;

import io.secretsdk.CredentialPairView;
import io.secretsdk.SecretStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one core {@link CredentialPairView} bean per {@code secretsdk.credentials.<name>}:
 * named {@code <name>CredentialPairView}, with the qualifier {@code <name>}, over the store of the
 * {@code secrets:} import that serves the pair, so {@code @Qualifier("db") CredentialPairView db}
 * injects pair {@code db}, both values always from one generation. The view is closed (its
 * listeners stop) before the imports' stores are, when the context closes. A bean the application
 * defines under the same name wins.
 *
 * <p>Used once by Spring while configuration classes are processed; not thread-safe.
 */
final class SecretsCredentialPairRegistrar
    implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

  private Environment environment;
  private BeanFactory beanFactory;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /** The bean name of the {@code CredentialPairView} of pair {@code name}. */
  static String beanName(String name) {
    return name + "CredentialPairView";
  }

  /** The {@code secretsdk.credentials.*} entries, by name; empty when none is set. */
  static Map<String, SecretsProperties.Credentials> configured(Environment environment) {
    return Binder.get(environment)
        .bind(
            "secretsdk.credentials",
            Bindable.mapOf(String.class, SecretsProperties.Credentials.class))
        .orElse(Map.of());
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    BeanFactory beans = beanFactory;
    configured(environment)
        .forEach(
            (name, settings) -> {
              String beanName = beanName(name);
              if (registry.containsBeanDefinition(beanName)) {
                return;
              }
              RootBeanDefinition definition = new RootBeanDefinition(CredentialPairView.class);
              definition.setInstanceSupplier(() -> create(beans, name, beanName, settings));
              definition.setDestroyMethodName("close");
              definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
              registry.registerBeanDefinition(beanName, definition);
            });
  }

  private static CredentialPairView create(
      BeanFactory beans, String name, String beanName, SecretsProperties.Credentials settings) {
    if (!beans.containsBean(SecretsImports.BEAN_NAME)) {
      throw new IllegalStateException(
          "secretsdk.credentials."
              + name
              + " needs a secrets: import that serves "
              + settings.getUsernameKey()
              + " and "
              + settings.getPasswordKey()
              + ": add one to spring.config.import");
    }
    if (beans instanceof ConfigurableBeanFactory configurable) {
      // Destroyed before the imports' stores are closed.
      configurable.registerDependentBean(SecretsImports.BEAN_NAME, beanName);
    }
    SecretsImports imports = beans.getBean(SecretsImports.BEAN_NAME, SecretsImports.class);
    SecretStore store = store(name, settings, imports);
    try {
      return CredentialPairView.of(store, settings.getUsernameKey(), settings.getPasswordKey());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("secretsdk.credentials." + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The store of the import named by {@code location}, or else of the import whose secrets include
   * the username key (the one listed last when several do, as for properties), or else of the only
   * import.
   */
  static SecretStore store(
      String name, SecretsProperties.Credentials settings, SecretsImports imports) {
    Map<String, SecretStore> stores = imports.stores();
    String location = settings.getLocation();
    if (location != null && !location.isBlank()) {
      String written = location.trim();
      if (written.startsWith("optional:")) {
        written = written.substring("optional:".length());
      }
      SecretStore store = stores.get(written);
      if (store == null) {
        throw new IllegalStateException(
            "secretsdk.credentials."
                + name
                + ".location is '"
                + written
                + "', which is not a secrets: import; the imports are "
                + stores.keySet());
      }
      return store;
    }
    List<String> serving = new ArrayList<>();
    stores.forEach(
        (written, store) -> {
          if (store.snapshot().find(settings.getUsernameKey()) != null) {
            serving.add(written);
          }
        });
    if (!serving.isEmpty()) {
      return stores.get(serving.get(serving.size() - 1));
    }
    if (stores.size() == 1) {
      // Not there yet (an optional: import, say): the view reports the missing name until it is.
      return stores.values().iterator().next();
    }
    throw new IllegalStateException(
        "secretsdk.credentials."
            + name
            + ": no secrets: import serves "
            + settings.getUsernameKey()
            + "; set secretsdk.credentials."
            + name
            + ".location to one of "
            + stores.keySet());
  }
}
