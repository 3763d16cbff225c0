/**
 * HMAC signing by key name, in-process or through the signer sidecar, so an application can sign
 * without holding the key.
 *
 * <ul>
 *   <li>{@link io.secretsdk.signer.Signer} — the API: {@code sign}, {@code verify} and their batch
 *       forms; {@link io.secretsdk.signer.Signer#local Signer.local(store)} holds the keys (read by
 *       name from a {@link io.secretsdk.SecretStore}, following rotation and the store's key sets:
 *       {@code <name>.previous} and {@code <name>.next} verify, never sign), {@link
 *       io.secretsdk.signer.Signer#sidecar Signer.sidecar(uri)} calls the sidecar over loopback TCP
 *       ({@code http://127.0.0.1:8787}) or a Unix domain socket ({@code
 *       unix:/run/signer/signer.sock}) with pooled keep-alive connections, a deadline per call and
 *       no thread of its own.
 *   <li>{@code io.secretsdk.signer.protocol} — the wire protocol, one codec for client and server.
 *   <li>The sidecar server is its own application, {@code secretsdk-signer-sidecar}: {@code java
 *       -jar secretsdk-signer-sidecar-<version>-all.jar --keys-dir <dir>}.
 *   <li>Signatures are {@code v1:<key id>:<base64url HMAC>}; both ends produce the same string for
 *       the same key bytes and message.
 * </ul>
 *
 * <p>This module depends on {@code secretsdk-core} and the JDK only. The pattern, the protocol,
 * rotation, key sets and the security model are described in {@code docs/signer.md}.
 */
package io.secretsdk.signer;
