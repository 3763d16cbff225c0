package io.secretsdk.examples.microprofile;

import io.secretsdk.microprofile.SecretsChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Logs every change of the mounted secrets by name (never values) from the {@link SecretsChanged}
 * CDI event, and remembers the newest revision for the admin API. Thread-safe.
 */
@ApplicationScoped
public class SecretsAudit {

  private static final Logger LOG = Logger.getLogger(SecretsAudit.class);

  private final AtomicLong revision = new AtomicLong(1);

  void onChange(@Observes SecretsChanged change) {
    revision.accumulateAndGet(change.revision(), Math::max);
    LOG.infof("secrets changed (revision %d): %s", change.revision(), change.names());
  }

  /** The newest revision a {@link SecretsChanged} event announced (1 before any change). */
  public long revision() {
    return revision.get();
  }
}
