package io.secretsdk.microprofile;

import java.util.Map;
import java.util.SortedMap;

/**
 * Finds a value by the MicroProfile environment-variable rule applied to both sides: a requested
 * property and a secret name match when they are equal after every character other than {@code
 * [A-Za-z0-9]} is replaced by {@code _} and letters are upper-cased. So {@code db.password}, {@code
 * db_password}, {@code DB_PASSWORD} and {@code db-password} all find one another. Callers try the
 * exact name first; this index is the fallback.
 *
 * <p>An open-addressing table over the canonical forms, so a lookup hashes and compares the
 * requested name character by character and allocates nothing, hit or miss. When several names
 * share a canonical form, the first in sorted order wins. Immutable and thread-safe after
 * construction.
 */
final class SecretNameMapping {

  private final String[] names;
  private final String[] values;
  private final int mask;

  /**
   * Indexes {@code values} (name to value), visited in sorted order so collisions resolve the same
   * way every time.
   */
  SecretNameMapping(SortedMap<String, String> valuesByName) {
    int capacity = Integer.highestOneBit(Math.max(4, valuesByName.size() * 2 + 1) - 1) << 1;
    this.names = new String[capacity];
    this.values = new String[capacity];
    this.mask = capacity - 1;
    for (Map.Entry<String, String> e : valuesByName.entrySet()) {
      String name = e.getKey();
      for (int i = hash(name) & mask; ; i = (i + 1) & mask) {
        if (names[i] == null) {
          names[i] = name;
          values[i] = e.getValue();
          break;
        }
        if (sameCanonical(names[i], name)) {
          break; // an earlier name in sorted order already owns this canonical form
        }
      }
    }
  }

  /** The value whose name matches {@code requested} canonically, or {@code null}. */
  String find(String requested) {
    for (int i = hash(requested) & mask; ; i = (i + 1) & mask) {
      String name = names[i];
      if (name == null) {
        return null;
      }
      if (sameCanonical(name, requested)) {
        return values[i];
      }
    }
  }

  /** The name that owns {@code requested}'s canonical form, or {@code null}. */
  String nameFor(String requested) {
    for (int i = hash(requested) & mask; ; i = (i + 1) & mask) {
      String name = names[i];
      if (name == null || sameCanonical(name, requested)) {
        return name;
      }
    }
  }

  /**
   * {@code c} as it appears in an environment variable name: ASCII letters upper-cased, digits
   * kept, the rest {@code _}.
   */
  static char canonical(char c) {
    if (c >= 'a' && c <= 'z') {
      return (char) (c - ('a' - 'A'));
    }
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return c;
    }
    return '_';
  }

  static boolean sameCanonical(String a, String b) {
    int n = a.length();
    if (n != b.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (canonical(a.charAt(i)) != canonical(b.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static int hash(String s) {
    int h = 0;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + canonical(s.charAt(i));
    }
    return h ^ (h >>> 16);
  }
}
