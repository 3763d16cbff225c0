package io.secretsdk.microprofile;

import io.secretsdk.SecretException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Finds secretsdk's own failure inside the exception a MicroProfile implementation threw while
 * building a {@code Config}, so that CDI integrations report the real cause ("directory ... does
 * not exist; check the volume's mountPath") instead of the unsatisfied {@code SecretStore}
 * injection point that follows from it. Stateless.
 */
final class ConfigFailure {

  private ConfigFailure() {}

  /**
   * The first throwable in {@code failure}'s cause chain that secretsdk threw (a {@link
   * SecretException}, or an exception from a {@code io.secretsdk} class such as a malformed {@code
   * secretsdk.*} setting), or {@code null} when secretsdk is not involved.
   */
  static Throwable causedBySecretsdk(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
      if (t instanceof SecretException) {
        return t;
      }
      StackTraceElement[] trace = t.getStackTrace();
      if (trace.length > 0 && trace[0].getClassName().startsWith("io.secretsdk.")) {
        return t;
      }
    }
    return null;
  }
}
