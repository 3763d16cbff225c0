package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogCapture;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * A real application closed while rotations are in flight: one change is being handled by an
 * application listener, the next one is queued behind it, and the context starts closing; the close
 * is held (in a {@code ContextClosedEvent} listener) until the queued change has been dispatched to
 * every store listener. That change must not be published into the closing context, and nothing of
 * ours may log a warning or an error about it.
 */
class SecretsChangePublisherClosingTests {

  /** The console (Logback) is captured: a warning of ours would show there. */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static final AtomicInteger CALLS = new AtomicInteger();
  static final CountDownLatch ENTERED = new CountDownLatch(1);
  static final CountDownLatch RELEASE = new CountDownLatch(1);
  static final CountDownLatch CLOSE_STARTED = new CountDownLatch(1);
  static final CountDownLatch WITNESS_SAW_3 = new CountDownLatch(1);

  private static Set<Thread> secretsdkThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("secretsdk-"))
        .collect(Collectors.toSet());
  }

  @Test
  void aChangeArrivingWhileTheContextClosesIsDroppedWithoutAWarning(LogCapture logs)
      throws Exception {
    Set<Thread> before = secretsdkThreads();
    Path dir = Files.createTempDirectory("secretsdk-closing").resolve("db");
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(dir);
    volume.writeStrings(Map.of("password", "one"));
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties("spring.config.import=secrets:" + dir, "logging.level.io.secretsdk=DEBUG")
            .run();
    SecretStore store = context.getBean(SecretStore.class);
    // Subscribed after the starter's publisher, so told about each change right after it.
    store.subscribe(
        event -> {
          if (event.current().revision() >= 3) {
            WITNESS_SAW_3.countDown();
          }
        });

    // Revision 2 reaches the application listener, which holds the notification thread.
    volume.writeStrings(Map.of("password", "two"));
    assertThat(ENTERED.await(30, TimeUnit.SECONDS)).isTrue();
    // Revision 3 is published by the store and queued behind it.
    volume.writeStrings(Map.of("password", "three"));
    await().atMost(Duration.ofSeconds(20)).until(() -> store.snapshot().revision() >= 3);

    Thread closer = new Thread(context::close, "test-context-close");
    closer.start();
    assertThat(CLOSE_STARTED.await(30, TimeUnit.SECONDS)).isTrue();
    RELEASE.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(closer.isAlive()).isFalse();
    assertThat(WITNESS_SAW_3.getCount()).as("the queued change was dispatched").isZero();
    assertThat(context.isClosed()).isTrue();

    // Every thread of the closed stores ends, so every queued change has been dealt with.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(secretsdkThreads()).isSubsetOf(before));
    assertThat(CALLS.get()).as("changes published into the application").isEqualTo(1);
    List<String> problems =
        logs.records().stream()
            .filter(r -> r.level().equals("WARNING") || r.level().equals("SEVERE"))
            .filter(r -> r.logger().startsWith("io.secretsdk"))
            .map(r -> r.text())
            .toList();
    assertThat(problems).isEmpty();
    assertThat(logs.text().lines())
        .filteredOn(line -> line.contains(" WARN ") || line.contains(" ERROR "))
        .filteredOn(line -> line.contains("secretsdk") || line.contains("i.s."))
        .isEmpty();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    /** Holds the first change until the test has started closing the context. */
    @Bean
    ApplicationListener<SecretsChangedEvent> holdingListener() {
      return event -> {
        CALLS.incrementAndGet();
        ENTERED.countDown();
        try {
          RELEASE.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
    }

    @Bean
    ClosingSignal closingSignal() {
      return new ClosingSignal();
    }
  }

  /**
   * Tells the test that the close has begun, after the starter's own close listener ran, and holds
   * the close until the queued change has reached the store's listeners.
   */
  static final class ClosingSignal implements ApplicationListener<ContextClosedEvent>, Ordered {

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
      CLOSE_STARTED.countDown();
      try {
        WITNESS_SAW_3.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
