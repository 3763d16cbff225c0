package io.secretsdk.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.SecretStore;
import io.secretsdk.testing.KubernetesVolumeWriter;
import io.secretsdk.testing.SecretLeakExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class JsonSecretsParseOnceTests {

  @RegisterExtension static final SecretLeakExtension leaks = SecretLeakExtension.create();

  @TempDir Path tmp;

  /** Counts every document Jackson parses. */
  static final class CountingMapper extends ObjectMapper {
    private static final long serialVersionUID = 1L;
    final AtomicInteger parses = new AtomicInteger();

    @Override
    public JsonNode readTree(byte[] content) throws IOException {
      parses.incrementAndGet();
      return super.readTree(content);
    }
  }

  @Test
  void concurrentReadersParseEachDistinctContentOnceAndNeverSeeAStaleView() throws Exception {
    KubernetesVolumeWriter writer = KubernetesVolumeWriter.kubelet(tmp.resolve("app"));
    writer.writeStrings(Map.of("db", "{\"generation\":1}", "other", "a"));
    CountingMapper mapper = new CountingMapper();
    JsonSecrets json = JsonSecrets.create(mapper);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (SecretStore store = SecretStore.builder().mount(writer.volume()).watch(false).build()) {
      for (int generation = 1; generation <= 5; generation++) {
        if (generation > 1) {
          writer.writeStrings(Map.of("db", "{\"generation\":" + generation + "}", "other", "a"));
          store.refresh();
        }
        int expected = generation;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> readers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          readers.add(
              pool.submit(
                  () -> {
                    go.await();
                    boolean allCurrent = true;
                    for (int i = 0; i < 500; i++) {
                      allCurrent &=
                          json.at(store, "db", "/generation").orElseThrow().asInt() == expected;
                      allCurrent &=
                          json.expand(store.require("db"))
                              .get("db.generation")
                              .equals(Integer.toString(expected));
                    }
                    return allCurrent;
                  }));
        }
        go.countDown();
        for (Future<Boolean> reader : readers) {
          assertThat(reader.get(30, TimeUnit.SECONDS))
              .as("every read saw generation %d", expected)
              .isTrue();
        }
        assertThat(mapper.parses.get())
            .as("parses after generation %d", generation)
            .isEqualTo(generation);
      }

      // An unrelated key rotates: a new snapshot, a new Secret instance, the same content.
      writer.writeStrings(Map.of("db", "{\"generation\":5}", "other", "b"));
      store.refresh();
      assertThat(json.at(store, "db", "/generation").orElseThrow().asInt()).isEqualTo(5);
      assertThat(mapper.parses.get()).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }
}
