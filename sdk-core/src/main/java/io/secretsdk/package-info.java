/**
 * Secrets read from mounted volumes and the environment, kept current while the process runs.
 *
 * <p>Start at {@link io.secretsdk.SecretStore#builder()}. The public types are the store and its
 * builder, the immutable values it hands out ({@link io.secretsdk.Secret}, {@link
 * io.secretsdk.SecretSnapshot}, {@link io.secretsdk.SecretChangeEvent}), health records and the
 * exceptions; everything else in this package is package-private implementation.
 */
package io.secretsdk;
