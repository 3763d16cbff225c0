package io.secretsdk.spring;

import io.secretsdk.SecretException;
import io.secretsdk.SecretStore;
import java.nio.file.Files;
import java.util.List;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;

/**
 * Loads a {@code secrets:} import as a live {@link SecretsPropertySource}. The store behind it is
 * built once per location and kept in {@link SecretsImports} in the bootstrap context; when the
 * bootstrap context closes, that registry becomes the {@value SecretsImports#BEAN_NAME} bean and is
 * closed with the application context.
 *
 * <p>Registered in {@code META-INF/spring.factories}. Stateless and thread-safe.
 */
final class SecretsConfigDataLoader implements ConfigDataLoader<SecretsConfigDataResource> {

  @Override
  public ConfigData load(ConfigDataLoaderContext context, SecretsConfigDataResource resource) {
    if (!resource.optional() && !Files.isDirectory(resource.path())) {
      throw new ConfigDataResourceNotFoundException(resource);
    }
    SecretsImports imports = imports(context.getBootstrapContext());
    SecretStore store;
    try {
      store = imports.obtain(resource, SecretsImports::build);
    } catch (SecretException e) {
      // Core messages name files and keys, never values.
      throw new IllegalStateException("cannot import " + resource + ": " + e.getMessage(), e);
    }
    JsonExpandedProperties json =
        resource.jsonExpand() ? new JsonExpandedProperties(JsonFlattener.best()) : null;
    return new ConfigData(
        List.of(
            new SecretsPropertySource(
                resource.propertySourceName(), new ImportedSecretStore(store), json)));
  }

  private static SecretsImports imports(ConfigurableBootstrapContext bootstrap) {
    if (!bootstrap.isRegistered(SecretsImports.class)) {
      SecretsImports created = new SecretsImports();
      bootstrap.register(SecretsImports.class, InstanceSupplier.of(created));
      bootstrap.addCloseListener(
          event -> created.registerIn(event.getApplicationContext().getBeanFactory()));
      // One INFO line per import once Boot's logging is set up (it is not yet during config data).
      bootstrap.addCloseListener(event -> created.forEachStore(SecretsImportLog::imported));
    }
    return bootstrap.get(SecretsImports.class);
  }
}
