package io.secretsdk.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * System properties set for one test (or one test class) and put back as they were when it ends,
 * for code configured from system properties such as the MicroProfile config source. Obtain an
 * instance as a test or lifecycle method parameter under {@link SecretLeakExtension}; the extension
 * restores the previous values after the test's own {@code @AfterEach} methods ran.
 *
 * <p>System properties are JVM-wide: tests that set the same property must not run in parallel
 * (mark them {@code @Isolated} or {@code @ResourceLock(Resources.SYSTEM_PROPERTIES)}). Thread-safe.
 */
public final class SystemProperties {

  private final Map<String, String> previous = new LinkedHashMap<>();

  SystemProperties() {}

  /**
   * Sets {@code key} to {@code value} until the test ends.
   *
   * @param key the property name
   * @param value the value, or {@code null} to clear the property
   * @return this, to chain calls
   */
  public synchronized SystemProperties set(String key, String value) {
    Objects.requireNonNull(key, "key");
    if (!previous.containsKey(key)) {
      previous.put(key, System.getProperty(key));
    }
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
    return this;
  }

  /** Puts back every property set through this instance; called by the extension. */
  synchronized void restore() {
    previous.forEach(
        (key, value) -> {
          if (value == null) {
            System.clearProperty(key);
          } else {
            System.setProperty(key, value);
          }
        });
    previous.clear();
  }
}
