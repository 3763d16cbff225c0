package io.secretsdk.examples.spring;

import io.secretsdk.spring.SecretsChangedEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Counts and logs every secrets change: which names, which import, which revision — no value. */
@Component
class RotationLog {

  private static final Logger log = LoggerFactory.getLogger(RotationLog.class);

  private final AtomicInteger count = new AtomicInteger();

  @EventListener
  void onChange(SecretsChangedEvent event) {
    count.incrementAndGet();
    log.info(
        "secrets changed in {}: {} (revision {})",
        event.getLocation(),
        event.getNames(),
        event.getRevision());
  }

  int count() {
    return count.get();
  }
}
