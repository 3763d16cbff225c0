package io.secretsdk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Creates named pipes for the tests that prove no read blocks on one (Java has no mkfifo). */
final class Fifos {

  private Fifos() {}

  static Path mkfifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("mkfifo " + path + " failed");
    }
    return path;
  }
}
