package io.secretsdk.examples.spring;

import io.secretsdk.signer.Signer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Signs outgoing webhooks with the key {@code webhook-key} when a {@link Signer} bean exists
 * ({@code secretsdk.signer.mode=sidecar} and the signer sidecar next to the service): the key lives
 * only in the sidecar's container. Without a signer the endpoint answers 503.
 */
@RestController
class WebhookController {

  private final ObjectProvider<Signer> signer;

  WebhookController(ObjectProvider<Signer> signer) {
    this.signer = signer;
  }

  @PostMapping("/api/webhooks/signature")
  ResponseEntity<Map<String, String>> sign(@RequestBody String payload) {
    Signer available = signer.getIfAvailable();
    if (available == null) {
      return ResponseEntity.status(503)
          .body(Map.of("error", "no signer: set secretsdk.signer.mode=sidecar"));
    }
    return ResponseEntity.ok(
        Map.of(
            "signature", available.sign("webhook-key", payload.getBytes(StandardCharsets.UTF_8))));
  }
}
