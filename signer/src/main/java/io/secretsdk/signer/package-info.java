/**
 * HMAC signing by key name, in-process or through the signer sidecar, so an application can sign
 * without holding the key.
 *
 * <ul>
 *   <li>{@link io.secretsdk.signer.Signer} — the API: {@code sign}, {@code verify} and their batch
 *       forms; {@link io.secretsdk.signer.Signer#local Signer.local(store)} holds the keys (read by
 *       name from a {@link io.secretsdk.SecretStore}, following rotation), {@link
 *       io.secretsdk.signer.Signer#sidecar Signer.sidecar(uri)} calls the sidecar.
 *   <li>{@link io.secretsdk.signer.SignerSidecar} — the sidecar: an HTTP server on loopback over
 *       a keys directory, started with {@code java -cp ... io.secretsdk.signer.SignerSidecar} or
 *       programmatically.
 *   <li>Signatures are {@code v1:<key id>:<base64url HMAC>}; both ends produce the same string for
 *       the same key bytes and message.
 * </ul>
 *
 * <p>The pattern, the protocol, rotation and the security model are described in {@code
 * docs/signer.md}.
 */
package io.secretsdk.signer;
