package io.secretsdk;

/** The naming rules shared by every reader: which entries are keys and what they are called. */
final class SecretNames {

  private SecretNames() {}

  /**
   * Kubelet machinery ({@code ..data}, {@code ..data_tmp}, timestamped directories): never a key.
   */
  static boolean isMachinery(String fileName) {
    return fileName.startsWith("..");
  }

  /** Vault Agent and consul-template write to an all-digit temporary file before renaming it. */
  static boolean isRendererTemporary(String fileName) {
    if (fileName.isEmpty()) {
      return false;
    }
    for (int i = 0; i < fileName.length(); i++) {
      char c = fileName.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Renderer backups ({@code password.bak}) are not keys. */
  static boolean isBackup(String fileName) {
    return fileName.endsWith(".bak");
  }

  /** Whether an entry of a plain directory is a key (or a directory that may hold keys). */
  static boolean isCandidate(String fileName) {
    return !isMachinery(fileName) && !isRendererTemporary(fileName) && !isBackup(fileName);
  }
}
