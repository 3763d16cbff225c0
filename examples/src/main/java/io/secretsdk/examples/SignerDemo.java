package io.secretsdk.examples;

import io.secretsdk.SecretStore;
import io.secretsdk.signer.Signer;
import io.secretsdk.signer.sidecar.SignerSidecar;
import io.secretsdk.testing.KubernetesVolumeWriter;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

/**
 * The signer part of the demo: the key lives in a volume only the sidecar reads; the application
 * asks the sidecar on loopback for signatures, and they equal what a local signer computes.
 */
final class SignerDemo {

  private final PrintStream out;

  SignerDemo(PrintStream out) {
    this.out = out;
  }

  void run(Path dir) throws Exception {
    Path keys = dir.resolve("signer-keys");
    KubernetesVolumeWriter kubelet = KubernetesVolumeWriter.kubelet(keys);
    kubelet.write(Map.of("webhook", randomKey()));
    byte[] message = "{\"order\":42,\"amount\":\"9.99\"}".getBytes(StandardCharsets.UTF_8);

    try (SignerSidecar sidecar =
            SignerSidecar.builder()
                .keysDirectory(keys)
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .build()
                .start();
        Signer remote = Signer.sidecar(sidecar.uri());
        SecretStore keyStore = SecretStore.builder().mount(keys).build();
        Signer local = Signer.local(keyStore)) {
      out.println("      sidecar listening on " + sidecar.uri() + " with keys " + sidecar.keyIds());
      String viaSidecar = remote.sign("webhook", message);
      String viaLocal = local.sign("webhook", message);
      out.println("      sidecar signature " + viaSidecar);
      out.println(
          "      local signature equal: "
              + viaSidecar.equals(viaLocal)
              + ", verifies on the sidecar: "
              + remote.verify("webhook", message, viaLocal));

      kubelet.write(Map.of("webhook", randomKey()));
      String oldKeyId = viaSidecar.split(":")[1];
      RotationDemo.waitFor(() -> !remote.sign("webhook", message).split(":")[1].equals(oldKeyId));
      String rotated = remote.sign("webhook", message);
      out.println(
          "      after the key rotated: new key id "
              + rotated.split(":")[1]
              + ", the old signature still verifies during the grace period: "
              + remote.verify("webhook", message, viaSidecar));
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
