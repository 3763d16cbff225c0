/**
 * The signer sidecar's wire protocol: {@link io.secretsdk.signer.protocol.SignerProtocol} encodes
 * and decodes every body, {@link io.secretsdk.signer.protocol.ProtocolRoute} maps method and path
 * to an endpoint. Shared by the client in {@code io.secretsdk.signer} and the sidecar server
 * ({@code secretsdk-signer-sidecar}), so both ends speak exactly the same JSON. Public because the
 * server lives in another module; applications call {@link io.secretsdk.signer.Signer} instead.
 */
package io.secretsdk.signer.protocol;
