package io.secretsdk.examples.microprofile;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Settings from a JSON document mounted with {@code [json=expand]} ({@code settings} = <code>
 * {"greeting":"hello","limits":{"rps":5}}</code> under prefix {@code app} gives {@code
 * app.settings.greeting} and {@code app.settings.limits.rps}), read live: through an injected
 * {@code Provider<String>} and through {@code ConfigProvider}.
 */
@Path("/greeting")
public class GreetingResource {

  @Inject
  @ConfigProperty(name = "app.settings.greeting")
  Provider<String> greeting;

  /** The current greeting and rate limit; a rotation of the document shows on the next call. */
  @GET
  @Produces(MediaType.TEXT_PLAIN)
  public String greet() {
    int rps =
        ConfigProvider.getConfig()
            .getOptionalValue("app.settings.limits.rps", Integer.class)
            .orElse(1);
    return greeting.get() + " (limit " + rps + " rps)";
  }
}
