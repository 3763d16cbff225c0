package io.secretsdk.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Keeps "the import listed later wins" between {@code secrets:} and Spring Cloud Config's {@code
 * configserver:} imports of one {@code spring.config.import} declaration, wherever it is declared.
 *
 * <p>Why it is needed: Spring Boot processes imports twice, before and after profile activation,
 * and ranks everything a declaration imports in the second pass above everything it imported in the
 * first. The Config Client resolves its location in both passes; when the second resolution differs
 * from the first — {@code spring.application.name} was not yet known where the import is declared
 * (an environment variable or command-line argument, the name in {@code application.properties}),
 * or a profile was activated — it fetches again, and that second fetch outranks a {@code secrets:}
 * import imported in the first pass whatever the order of the list.
 *
 * <p>Runs right after Spring Boot's config-data processing. For every declaration of {@code
 * spring.config.import} (each property source's own value) that lists a {@code secrets:} location
 * after every {@code configserver:} location, it moves that import's property source above all
 * Config Server property sources ({@code configserver:*}); listed before every {@code
 * configserver:} location, below them all. Other imports and other orders are left as Spring Boot
 * made them. Registered in {@code META-INF/spring.factories}; stateless and thread-safe.
 */
final class SecretsImportOrderPostProcessor implements EnvironmentPostProcessor, Ordered {

  /** Right after {@link ConfigDataEnvironmentPostProcessor}, before anything reads the result. */
  static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

  private static final String IMPORT = "spring.config.import";
  private static final String OPTIONAL = "optional:";
  private static final String CONFIG_SERVER = "configserver:";

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    MutablePropertySources sources = environment.getPropertySources();
    if (sources.stream().noneMatch(SecretsPropertySource.class::isInstance)) {
      return;
    }
    Binder defaults = Binder.get(environment);
    for (List<String> declaration : declarations(sources)) {
      order(sources, declaration, defaults);
    }
  }

  /** The value of {@code spring.config.import} in each property source that declares it. */
  private static List<List<String>> declarations(MutablePropertySources sources) {
    List<List<String>> declarations = new ArrayList<>();
    for (PropertySource<?> source : sources) {
      if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
          || source instanceof SecretsPropertySource) {
        continue;
      }
      try {
        new Binder(ConfigurationPropertySources.from(source))
            .bind(IMPORT, String[].class)
            .ifBound(locations -> declarations.add(trimmed(locations)));
      } catch (RuntimeException e) {
        // A declaration Spring Boot itself accepted but we cannot read: leave its order alone.
      }
    }
    return declarations;
  }

  private static List<String> trimmed(String[] locations) {
    List<String> list = new ArrayList<>();
    for (String location : locations) {
      String value = location.trim();
      if (value.toLowerCase(Locale.ROOT).startsWith(OPTIONAL)) {
        value = value.substring(OPTIONAL.length()).trim();
      }
      if (!value.isEmpty()) {
        list.add(value);
      }
    }
    return list;
  }

  private static void order(
      MutablePropertySources sources, List<String> declaration, Binder defaults) {
    int firstServer = -1;
    int lastServer = -1;
    for (int i = 0; i < declaration.size(); i++) {
      if (declaration.get(i).startsWith(CONFIG_SERVER)) {
        firstServer = firstServer < 0 ? i : firstServer;
        lastServer = i;
      }
    }
    if (firstServer < 0) {
      return;
    }
    for (int i = 0; i < declaration.size(); i++) {
      String location = declaration.get(i);
      if (!location.startsWith(SecretsConfigDataLocationResolver.PREFIX)
          || (i > firstServer && i < lastServer)) {
        continue;
      }
      PropertySource<?> secrets = sources.get(propertySourceName(location, defaults));
      if (!(secrets instanceof SecretsPropertySource)) {
        continue;
      }
      List<String> servers = configServerSources(sources);
      if (servers.isEmpty()) {
        return;
      }
      sources.remove(secrets.getName());
      if (i > lastServer) {
        sources.addBefore(servers.get(0), secrets);
      } else {
        sources.addAfter(servers.get(servers.size() - 1), secrets);
      }
    }
  }

  private static String propertySourceName(String location, Binder defaults) {
    try {
      return SecretsConfigDataLocationResolver.resolve(
              location.substring(SecretsConfigDataLocationResolver.PREFIX.length()),
              false,
              defaults)
          .propertySourceName();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** The names of the Config Client's property sources, highest precedence first. */
  private static List<String> configServerSources(MutablePropertySources sources) {
    List<String> names = new ArrayList<>();
    for (PropertySource<?> source : sources) {
      if (source.getName().startsWith(CONFIG_SERVER)) {
        names.add(source.getName());
      }
    }
    return names;
  }
}
