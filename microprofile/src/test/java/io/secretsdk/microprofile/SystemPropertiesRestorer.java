package io.secretsdk.microprofile;

import java.util.HashMap;
import java.util.Map;

/** Sets system properties for one test and puts the previous values back afterwards. */
final class SystemPropertiesRestorer implements AutoCloseable {

  private final Map<String, String> previous = new HashMap<>();

  SystemPropertiesRestorer set(String key, String value) {
    previous.putIfAbsent(key, System.getProperty(key));
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
    return this;
  }

  @Override
  public void close() {
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
