package io.secretsdk.examples.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** What the service is connected to, and with which credentials configured — never a value. */
@RestController
class IntegrationsController {

  /** The dotfile key of the api Secret, as {@code secrets:} names it (dotfiles keep their dot). */
  static final String REGISTRY_TOKEN = "app.api..registry-token";

  private final OrdersDatabase database;
  private final ApiKeys apiKeys;
  private final RotationLog rotations;
  private final Environment environment;

  IntegrationsController(
      OrdersDatabase database, ApiKeys apiKeys, RotationLog rotations, Environment environment) {
    this.database = database;
    this.apiKeys = apiKeys;
    this.rotations = rotations;
    this.environment = environment;
  }

  @GetMapping("/api/database")
  Map<String, Object> database() {
    OrdersDatabase.Connection connection = database.connection();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("username", connection.username());
    answer.put("connection", connection.number());
    answer.put("rotations", rotations.count());
    return answer;
  }

  @GetMapping("/api/integrations")
  Map<String, Object> integrations() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("payments", configured(apiKeys.getPayments().getKey()));
    answer.put("registry", configured(environment.getProperty(REGISTRY_TOKEN)));
    return answer;
  }

  private static String configured(String value) {
    return value == null || value.isEmpty() ? "missing" : "configured";
  }
}
