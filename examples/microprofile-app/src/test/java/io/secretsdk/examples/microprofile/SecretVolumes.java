package io.secretsdk.examples.microprofile;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Lays out the pod's secret volumes the way the kubelet does, before the application starts, and
 * points {@code secretsdk.mounts} at them, as the Deployment's {@code SECRETSDK_MOUNTS} would. The
 * directories are handed to the test through system properties, so it can rotate them with its own
 * {@link KubernetesVolumeWriter} whatever class loader it runs in.
 */
public class SecretVolumes implements QuarkusTestResourceLifecycleManager {

  static final String ADMIN_DIR = "example.volumes.admin";
  static final String APP_DIR = "example.volumes.app";
  static final String FIRST_PASSWORD = "canary-first-" + java.util.UUID.randomUUID();

  private Path root;

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("secretsdk-example-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path admin = root.resolve("admin");
    Path app = root.resolve("app");
    KubernetesVolumeWriter.kubelet(admin)
        .writeStrings(Map.of("username", "ops", "password", firstPassword()));
    KubernetesVolumeWriter.kubelet(app)
        .writeStrings(Map.of("settings", "{\"greeting\":\"hello\",\"limits\":{\"rps\":5}}"));
    System.setProperty(ADMIN_DIR, admin.toString());
    System.setProperty(APP_DIR, app.toString());
    System.setProperty("secretsdk.mounts", admin + "=admin," + app + "=app[json=expand]");
    return Map.of();
  }

  /** The first password, shared with the test through a system property (class loaders differ). */
  static String firstPassword() {
    return System.getProperties()
        .computeIfAbsent("example.first-password", k -> FIRST_PASSWORD)
        .toString();
  }

  @Override
  public void stop() {
    System.clearProperty("secretsdk.mounts");
    if (root != null) {
      KubernetesVolumeWriter.kubelet(root.resolve("admin")).deleteVolume();
      KubernetesVolumeWriter.kubelet(root.resolve("app")).deleteVolume();
      try {
        Files.deleteIfExists(root);
      } catch (IOException e) {
        // A temp directory left behind is harmless.
      }
    }
  }
}
