/**
 * The signer sidecar application: {@link io.secretsdk.signer.sidecar.SidecarCommand} (the {@code
 * main} and its picocli command line), {@link io.secretsdk.signer.sidecar.SignerSidecar} (the
 * server, also embeddable for tests and benchmarks) and {@link
 * io.secretsdk.signer.sidecar.ListenAddress} (TCP or {@code unix:} addresses). The HTTP transport
 * is Netty (epoll where available, else NIO); requests are answered through the public {@code
 * io.secretsdk.signer} API and the shared protocol codec. See {@code docs/signer.md}.
 */
package io.secretsdk.signer.sidecar;
