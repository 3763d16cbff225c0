package io.secretsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.SecretLeakExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo runs end to end, sees no mixed pair and prints no value. The store's own log
 * records (the demo's bad update logs a warning on purpose) are captured, not printed.
 */
@ExtendWith(SecretLeakExtension.class)
class RotationDemoTests {

  @Test
  void demoRunsWithoutMixedPairsAndPrintsNoValue(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    long mixed = new RotationDemo(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run(dir);
    String output = buffer.toString(StandardCharsets.UTF_8);

    assertThat(mixed).isZero();
    assertThat(output)
        .contains(RotationDemo.ROTATIONS + " rotations")
        .contains("0 mixed pairs")
        .contains("health DEGRADED")
        .contains("health UP")
        .contains("added=[db.token]")
        .contains("local signature equal: true")
        .contains("the old signature still verifies during the grace period: true")
        .contains("no secretsdk thread is left running")
        .doesNotContain("demo-password-")
        .doesNotContain("demo-token");
  }
}
