/**
 * MicroProfile Config integration: {@link io.secretsdk.microprofile.SecretsConfigSource} serves
 * live secrets as config properties, {@link io.secretsdk.microprofile.SecretsConfigSourceProvider}
 * registers it from {@code secretsdk.mounts} / {@code SECRETSDK_MOUNTS}, and {@link
 * io.secretsdk.microprofile.SecretsExtension} adds a {@code SecretStore} bean and {@link
 * io.secretsdk.microprofile.SecretsChanged} events where CDI runs.
 */
package io.secretsdk.microprofile;
