package io.secretsdk.signer.sidecar;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Parses socket file modes: octal ({@code 0660}, {@code 660}) or symbolic ({@code rw-rw----}). */
final class SocketMode {

  private SocketMode() {}

  static Set<PosixFilePermission> parse(String value) {
    String v = value.trim();
    if (v.matches("0?[0-7]{3}")) {
      int bits = Integer.parseInt(v, 8);
      Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
      PosixFilePermission[] order = {
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE
      };
      for (int i = 0; i < 9; i++) {
        if ((bits & (1 << (8 - i))) != 0) {
          out.add(order[i]);
        }
      }
      return out;
    }
    try {
      return PosixFilePermissions.fromString(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--socket-mode: '"
              + SignerSidecar.printable(value)
              + "' is not a file mode; use 0660 or rw-rw----");
    }
  }
}
