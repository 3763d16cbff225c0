package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.LogSource;
import io.secretsdk.testing.SecretLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.scope.refresh.RefreshScopeRefreshedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Issue 13: a {@code @RefreshScope} bean created after the change event must see the new values.
 * The store publishes a snapshot with one volatile write and only then notifies; the starter
 * publishes {@code SecretsChangedEvent}, then {@code EnvironmentChangeEvent}, then calls {@code
 * RefreshScope.refreshAll()}. So the eviction can never run before the property source answers with
 * the new snapshot. This test holds that over 1,000 kubelet rotations, while another thread keeps
 * using (and so re-creating) the bean the whole time.
 */
class SecretsRefreshScopeOrderingTests {

  /**
   * Keeps the applications' console logs out of a green build (printed, masked, if a test fails).
   */
  @RegisterExtension
  static final SecretLeakExtension leaks =
      SecretLeakExtension.create().capture(LogSource.standardStreams());

  static final int ROTATIONS = Integer.getInteger("secretsdk.refresh-ordering.rotations", 1000);

  @TempDir Path dir;

  @Test
  void beanCreatedAfterEveryChangeEventSeesTheNewValues() throws Exception {
    KubernetesVolumeWriter volume = KubernetesVolumeWriter.kubelet(dir.resolve("db"));
    volume.writeStrings(Map.of("password", "rotation-0\n"));
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .run(
                "--spring.config.import=secrets:" + dir.resolve("db") + "/[prefix=app.db.]",
                "--secretsdk.refresh.refresh-scope=true")) {
      RefreshProbe probe = context.getBean(RefreshProbe.class);
      PasswordHolder holder = context.getBean(PasswordHolder.class);
      AtomicBoolean running = new AtomicBoolean(true);
      List<String> staleAfterRefresh = new CopyOnWriteArrayList<>();
      AtomicInteger concurrentCalls = new AtomicInteger();
      Thread user =
          new Thread(
              () -> {
                while (running.get()) {
                  int applied = probe.applied.get();
                  String seen = holder.password();
                  concurrentCalls.incrementAndGet();
                  if (rotation(seen) < applied) {
                    staleAfterRefresh.add(
                        "saw " + seen + " after rotation-" + applied + " was applied");
                  }
                  // Still a call after every other, but the watcher, the notification thread and
                  // the writer get a CPU whenever they need one: on two CPUs this loop otherwise
                  // holds one of them and slows every rotation (measured: a third of this test's
                  // time), without seeing more.
                  Thread.yield();
                }
              },
              "refresh-ordering-user");
      user.setDaemon(true);
      user.start();
      try {
        for (int i = 1; i <= ROTATIONS; i++) {
          volume.writeStrings(Map.of("password", "rotation-" + i + "\n"));
          int expected = i;
          await()
              .pollDelay(Duration.ZERO)
              .pollInterval(Duration.ofMillis(1))
              .atMost(Duration.ofSeconds(30))
              .until(() -> probe.applied.get() >= expected);
        }
      } finally {
        running.set(false);
        user.join(10_000);
      }

      assertThat(probe.mismatches).isEmpty();
      assertThat(probe.observed).hasSize(ROTATIONS);
      assertThat(staleAfterRefresh).isEmpty();
      assertThat(concurrentCalls.get()).isPositive();
    }
  }

  static int rotation(String value) {
    return Integer.parseInt(value.substring("rotation-".length()));
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {

    @Bean
    @RefreshScope
    PasswordHolder passwordHolder(@Value("${app.db.password}") String password) {
      return new PasswordHolder(password);
    }

    @Bean
    RefreshProbe refreshProbe(ObjectProvider<PasswordHolder> holder, Environment environment) {
      return new RefreshProbe(holder, environment);
    }
  }

  static class PasswordHolder {
    private final String password;

    PasswordHolder(String password) {
      this.password = password;
    }

    String password() {
      return password;
    }
  }

  /**
   * Runs right after {@code refreshAll()} evicted the scope, on the notification thread: the first
   * use creates a new bean, which must hold what the {@code Environment} holds, and that must be
   * the rotation just written (the test writes the next one only after this one was seen).
   */
  static final class RefreshProbe implements ApplicationListener<RefreshScopeRefreshedEvent> {
    final Map<Integer, String> observed = new ConcurrentHashMap<>();
    final List<String> mismatches = new CopyOnWriteArrayList<>();
    final AtomicInteger applied = new AtomicInteger();
    private final ObjectProvider<PasswordHolder> holder;
    private final Environment environment;

    RefreshProbe(ObjectProvider<PasswordHolder> holder, Environment environment) {
      this.holder = holder;
      this.environment = environment;
    }

    @Override
    public void onApplicationEvent(RefreshScopeRefreshedEvent event) {
      String inEnvironment = environment.getProperty("app.db.password");
      String inNewBean = holder.getObject().password();
      int rotation = rotation(inEnvironment);
      if (!inNewBean.equals(inEnvironment) || rotation != applied.get() + 1) {
        mismatches.add(
            "after rotation-"
                + applied.get()
                + ": bean "
                + inNewBean
                + ", environment "
                + inEnvironment);
      }
      observed.put(rotation, inNewBean);
      applied.set(Math.max(applied.get(), rotation));
    }
  }
}
