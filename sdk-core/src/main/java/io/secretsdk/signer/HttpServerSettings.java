package io.secretsdk.signer;

/**
 * Settings of the JDK's {@code com.sun.net.httpserver} that are read once, when its
 * implementation class loads, so they must be in place before any server is created in the JVM.
 */
final class HttpServerSettings {

  /** Turns Nagle's algorithm off on accepted connections; without it keep-alive costs ~44 ms a request. */
  static final String NODELAY = "sun.net.httpserver.nodelay";

  private HttpServerSettings() {}

  /** Sets {@code sun.net.httpserver.nodelay=true} unless the user set it explicitly. */
  static void applyDefaults() {
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  static boolean noDelay() {
    return Boolean.parseBoolean(System.getProperty(NODELAY));
  }
}
