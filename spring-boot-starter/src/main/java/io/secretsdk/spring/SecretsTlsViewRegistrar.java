package io.secretsdk.spring;

import io.secretsdk.TlsView;
import java.util.Set;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
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
 * Registers one core {@link TlsView} bean per {@code secretsdk.ssl.bundle.<name>}: named {@code
 * <name>TlsView}, with the qualifier {@code <name>}, over the bundle's volume and file names, so
 * {@code @Qualifier("web") TlsView tls} injects the view of bundle {@code web}. The view is closed
 * (its listeners stop) before the bundle's volume is, when the context closes. A bean the
 * application defines under the same name wins.
 *
 * <p>The beans are lazy: the SSL bundle already parses every generation for the server and clients,
 * so a view is made (and parses a second time, and joins the store's health) only for an
 * application that injects or looks it up.
 *
 * <p>Used once by Spring while configuration classes are processed; not thread-safe.
 */
final class SecretsTlsViewRegistrar
    implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

  /** The bean name of the SSL bundle registrar that owns every bundle's volume. */
  static final String BUNDLE_REGISTRAR_BEAN = "secretsSslBundleRegistrar";

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

  /** The bean name of the {@code TlsView} of bundle {@code name}. */
  static String beanName(String name) {
    return name + "TlsView";
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    Set<String> names =
        Binder.get(environment)
            .bind(
                "secretsdk.ssl.bundle",
                Bindable.mapOf(String.class, SecretsSslProperties.Bundle.class))
            .map(map -> map.keySet())
            .orElse(Set.of());
    BeanFactory beans = beanFactory;
    for (String name : names) {
      String beanName = beanName(name);
      if (registry.containsBeanDefinition(beanName)) {
        continue;
      }
      RootBeanDefinition definition = new RootBeanDefinition(TlsView.class);
      definition.setInstanceSupplier(
          () ->
              beans
                  .getBean(BUNDLE_REGISTRAR_BEAN, SecretsSslBundleRegistrar.class)
                  .bundle(name)
                  .tlsView());
      // Destroyed before the registrar, which closes the volume's store.
      definition.setDependsOn(BUNDLE_REGISTRAR_BEAN);
      definition.setDestroyMethodName("close");
      definition.setLazyInit(true);
      definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
      registry.registerBeanDefinition(beanName, definition);
    }
  }
}
