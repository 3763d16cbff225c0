/**
 * Test support for code that reads secrets, ours and yours.
 *
 * <p>Writers that lay secrets on disk exactly as orchestrators do: {@link
 * io.secretsdk.testing.KubernetesVolumeWriter} (kubelet and CSI driver order), {@link
 * io.secretsdk.testing.PlainDirectoryWriter} (Docker {@code /run/secrets}, hand-made directories)
 * and {@link io.secretsdk.testing.VaultAgentWriter} (render by rename).
 *
 * <p>A JUnit Jupiter extension that proves nothing leaks: {@link
 * io.secretsdk.testing.SecretLeakExtension} hands tests fresh {@link
 * io.secretsdk.testing.Canaries}, captures log records ({@link io.secretsdk.testing.LogCapture},
 * more through a {@link io.secretsdk.testing.LogSource}) and fails a test when a canary shows up in
 * them, in an exception or in a {@code toString()}; on request it also checks that a test leaves no
 * thread or open file behind.
 */
package io.secretsdk.testing;
