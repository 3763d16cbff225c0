package io.secretsdk;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The state of a {@link SecretView}, also listed in the {@link SecretStoreHealth#views()} of the
 * store the view is registered with. Holds no values: messages name files and keys only. Immutable
 * and thread-safe.
 *
 * @param status {@code UP} when the newest generation is installed and usable; {@code DEGRADED}
 *     when the newest generation was refused (the last good value is still served) or the served
 *     certificate has expired; {@code DOWN} when no generation has passed yet
 * @param names the store names the view reads, in order (for TLS: certificate, key, CA bundle)
 * @param lastError why the newest generation is not installed, or why the served value is not good,
 *     while that is the case
 * @param installedAt when the served value was installed
 * @param installs how many values the view installed
 * @param rejections how many distinct generations the view refused
 * @param expiresAt when the served leaf certificate expires (TLS views only)
 * @param daysUntilExpiry whole days from the time of the call until {@code expiresAt}, rounded
 *     down, negative once expired (TLS views only)
 */
public record SecretViewHealth(
    SecretStoreHealth.Status status,
    List<String> names,
    Optional<String> lastError,
    Optional<Instant> installedAt,
    long installs,
    long rejections,
    Optional<Instant> expiresAt,
    OptionalLong daysUntilExpiry) {

  /** Checks that no component is null and copies the names. */
  public SecretViewHealth {
    Objects.requireNonNull(status, "status");
    names = List.copyOf(names);
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(installedAt, "installedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(daysUntilExpiry, "daysUntilExpiry");
  }
}
