/**
 * Writers that lay secrets on disk exactly as orchestrators do, for tests of code that reads
 * them: {@link io.secretsdk.testing.KubernetesVolumeWriter} (kubelet and CSI driver order), {@link
 * io.secretsdk.testing.PlainDirectoryWriter} (Docker {@code /run/secrets}, hand-made directories)
 * and {@link io.secretsdk.testing.VaultAgentWriter} (render by rename).
 */
package io.secretsdk.testing;
