package io.secretsdk.examples.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Keys from the Opaque Secret mounted at {@code /etc/secrets/api} (imported with the prefix {@code
 * app.api.}). Its {@code items} map the key {@code payments-key} to the path {@code payments/key},
 * so the property is {@code app.api.payments.key}; the dotfile key {@code .registry-token} is read
 * through the {@code Environment} (see {@link IntegrationsController}).
 */
@ConfigurationProperties("app.api")
public class ApiKeys {

  private final Payments payments = new Payments();

  public Payments getPayments() {
    return payments;
  }

  @Override
  public String toString() {
    return "ApiKeys[payments.key=****]";
  }

  /** The payment provider's API key. */
  public static class Payments {

    /** The API key; never logged or returned. */
    private String key;

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }

    @Override
    public String toString() {
      return "Payments[key=****]";
    }
  }
}
