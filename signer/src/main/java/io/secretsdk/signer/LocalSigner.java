package io.secretsdk.signer;

import io.secretsdk.Secret;
import io.secretsdk.SecretChangeEvent;
import io.secretsdk.SecretSnapshot;
import io.secretsdk.SecretStore;
import io.secretsdk.Subscription;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A signer that holds the keys, read from a {@link SecretStore} by name.
 *
 * <p>Every call looks the name up in the store's current snapshot (a volatile read and a hash
 * lookup), so a rotation the store has published is used by the very next signature. The store's
 * change events are followed as well, so a generation that this signer never used (a key that was
 * current for a moment between two calls) is still remembered for verification.
 *
 * <p>Its length is key handling that must stay consistent in one place: the explicit key sets
 * ({@code name.previous}, {@code name.next}), the in-memory grace for single-key Secrets, and the
 * per-thread {@code Mac} reuse that keeps signing near the raw JDK cost.
 */
final class LocalSigner implements Signer {

  private static final System.Logger LOG = System.getLogger(Signer.class.getName());

  /**
   * The key-set suffixes: {@code <name>.previous} (the key before the current one) and {@code
   * <name>.next} (the coming one) verify for {@code <name>} on every replica, across restarts.
   */
  static final List<String> MEMBER_SUFFIXES = List.of(".previous", ".next");

  private final SecretStore store;
  private final Duration grace;
  private final int maxOldKeys;
  private final int minKeyBytes;
  private final Clock clock;
  private final boolean eager;
  private final Map<String, KeyRing> rings = new ConcurrentHashMap<>();
  private final Consumer<String> log = message -> LOG.log(Level.INFO, message);
  private final Subscription subscription;
  private volatile boolean closed;

  LocalSigner(LocalSignerBuilder builder) {
    this.store = builder.store;
    this.grace = builder.grace;
    this.maxOldKeys = builder.maxOldKeys;
    this.minKeyBytes = builder.minKeyBytes;
    this.clock = builder.clock;
    this.eager = builder.eager;
    this.subscription = store.subscribe(this::onChange);
    if (eager) {
      SecretSnapshot snap = store.snapshot();
      for (String name : snap.names()) {
        ring(name).observe(snap.find(name), snap.revision());
      }
    }
  }

  @Override
  public String sign(String keyName, byte[] message, HmacAlgorithm algorithm) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(algorithm, "algorithm");
    return currentKey(keyName).sign(algorithm, message);
  }

  @Override
  public List<String> signBatch(String keyName, List<byte[]> messages, HmacAlgorithm algorithm) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(algorithm, "algorithm");
    KeyVersion key = currentKey(keyName);
    String[] out = new String[messages.size()];
    for (int i = 0; i < out.length; i++) {
      byte[] message = messages.get(i);
      if (message == null) {
        throw new NullPointerException("messages[" + i + "] is null");
      }
      out[i] = key.sign(algorithm, message);
    }
    return List.of(out);
  }

  @Override
  public boolean verify(String keyName, byte[] message, String signature) {
    Objects.requireNonNull(message, "message");
    Verifier v = verifier(keyName);
    Parsed parsed = Parsed.of(signature);
    return parsed != null && v.check(parsed, message, clock.instant());
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    BatchArguments.checkOneSignaturePerMessage(messages, signatures);
    Verifier v = verifier(keyName);
    Instant now = clock.instant();
    Boolean[] out = new Boolean[messages.size()];
    for (int i = 0; i < out.length; i++) {
      byte[] message = messages.get(i);
      if (message == null) {
        throw new NullPointerException("messages[" + i + "] is null");
      }
      Parsed parsed = Parsed.of(signatures.get(i));
      out[i] = parsed != null && v.check(parsed, message, now);
    }
    return List.of(out);
  }

  /**
   * What verifies for a name: its ring (current key and previous keys within grace) and the current
   * keys of its key set's verify-only members ({@code <name>.previous}, {@code <name>.next}).
   */
  private Verifier verifier(String keyName) {
    Objects.requireNonNull(keyName, "keyName");
    refuseMember(keyName);
    SecretSnapshot snap = snapshot();
    List<KeyVersion> members = new ArrayList<>(2);
    for (String suffix : MEMBER_SUFFIXES) {
      String member = keyName + suffix;
      Secret secret = snap.find(member);
      KeyRing ring = secret != null ? ring(member) : rings.get(member);
      if (ring != null) {
        KeyRing.State st = ring.state();
        if (st.seen != secret) {
          st = ring.observe(secret, snap.revision());
        }
        if (secret != null && st.current != null) {
          members.add(st.current);
        }
      }
    }
    if (members.isEmpty()) {
      KeyRing.State st = state(keyName, snap);
      return new Verifier(rings.get(keyName), st, members);
    }
    // A name whose key set has verify-only members verifies even while its primary is missing.
    KeyRing ring = rings.get(keyName);
    Secret primary = snap.find(keyName);
    if (ring == null && primary == null) {
      return new Verifier(null, null, members);
    }
    return new Verifier(ring(keyName), observe(ring(keyName), primary, snap), members);
  }

  /**
   * Checks one parsed signature against everything that verifies for a name, in constant time per
   * key.
   */
  private final class Verifier {
    private final KeyRing ring;
    private final KeyRing.State st;
    private final List<KeyVersion> members;

    Verifier(KeyRing ring, KeyRing.State st, List<KeyVersion> members) {
      this.ring = ring;
      this.st = st;
      this.members = members;
    }

    boolean check(Parsed parsed, byte[] message, Instant now) {
      boolean valid = false;
      if (st != null) {
        KeyVersion current = st.current;
        if (current != null && current.id().equals(parsed.keyId)) {
          valid = current.matches(parsed.algorithm, message, parsed.mac);
        }
        if (!valid && !st.previous.isEmpty()) {
          for (KeyRing.Retired r : st.previous) {
            if (r.key.id().equals(parsed.keyId) && ring.inGrace(r, now)) {
              valid |= r.key.matches(parsed.algorithm, message, parsed.mac);
            }
          }
        }
      }
      for (int i = 0; !valid && i < members.size(); i++) {
        KeyVersion k = members.get(i);
        if (k.id().equals(parsed.keyId)) {
          valid = k.matches(parsed.algorithm, message, parsed.mac);
        }
      }
      return valid;
    }
  }

  /** The current key for signing, or an exception that says why there is none. */
  KeyVersion currentKey(String keyName) {
    KeyRing.State st = state(keyName);
    if (st.current == null) {
      throw notUsable(keyName, st);
    }
    return st.current;
  }

  /**
   * The up-to-date state of the name's ring.
   *
   * @throws SigningKeyNotFoundException if the name has no key now and never had one that still
   *     verifies
   */
  KeyRing.State state(String keyName) {
    Objects.requireNonNull(keyName, "keyName");
    refuseMember(keyName);
    return state(keyName, snapshot());
  }

  private SecretSnapshot snapshot() {
    if (closed) {
      throw new IllegalStateException("the signer is closed");
    }
    return store.snapshot();
  }

  private static KeyRing.State observe(KeyRing ring, Secret secret, SecretSnapshot snap) {
    KeyRing.State st = ring.state();
    return st.seen != secret ? ring.observe(secret, snap.revision()) : st;
  }

  /**
   * Names ending in a member suffix belong to a key set: they verify for their base name, never
   * sign.
   */
  private static void refuseMember(String keyName) {
    for (String suffix : MEMBER_SUFFIXES) {
      if (keyName.endsWith(suffix) && keyName.length() > suffix.length()) {
        String base = keyName.substring(0, keyName.length() - suffix.length());
        throw new SigningKeyNotFoundException(
            keyName,
            "'"
                + HmacAlgorithm.abbreviate(keyName)
                + "' is a verify-only member of the key set of '"
                + HmacAlgorithm.abbreviate(base)
                + "'; sign and verify with '"
                + HmacAlgorithm.abbreviate(base)
                + "'");
      }
    }
  }

  private KeyRing.State state(String keyName, SecretSnapshot snap) {
    Secret secret = snap.find(keyName);
    KeyRing ring = rings.get(keyName);
    if (ring == null) {
      if (secret == null) {
        throw new SigningKeyNotFoundException(
            keyName, "no signing key named '" + HmacAlgorithm.abbreviate(keyName) + "'");
      }
      ring = ring(keyName);
    }
    KeyRing.State st = ring.state();
    if (st.seen != secret) {
      st = ring.observe(secret, snap.revision());
    }
    if (st.current == null
        && st.problem == null
        && ring.verifiable(st, clock.instant()).isEmpty()) {
      throw new SigningKeyNotFoundException(
          keyName,
          "no signing key named '"
              + HmacAlgorithm.abbreviate(keyName)
              + "' (it was removed and its grace period is over)");
    }
    return st;
  }

  private static SigningKeyNotFoundException notUsable(String keyName, KeyRing.State st) {
    if (st.problem != null) {
      return new SigningKeyNotFoundException(keyName, st.problem);
    }
    return new SigningKeyNotFoundException(
        keyName,
        "no signing key named '"
            + HmacAlgorithm.abbreviate(keyName)
            + "' (it was removed; old signatures still verify)");
  }

  KeyRing ring(String name) {
    return rings.computeIfAbsent(
        name, n -> new KeyRing(n, grace, maxOldKeys, minKeyBytes, clock, log));
  }

  private void onChange(SecretChangeEvent event) {
    SecretSnapshot current = event.current();
    for (String name : event.names()) {
      KeyRing ring = rings.get(name);
      if (ring == null && eager && current.contains(name)) {
        ring = ring(name);
      }
      if (ring != null) {
        ring.observe(current.find(name), current.revision());
      }
    }
  }

  /** Every name this signer knows, sorted, with the ids of its keys; never key bytes. */
  @Override
  public List<KeyStatus> keyStatus() {
    Instant now = clock.instant();
    SecretSnapshot snap = closed ? null : store.snapshot();
    Map<String, KeyStatus> out = new java.util.TreeMap<>();
    for (KeyRing ring : rings.values()) {
      String name = ring.name();
      if (memberBase(name) != null) {
        continue;
      }
      KeyRing.State st = ring.state();
      List<String> previous = new ArrayList<>();
      for (KeyVersion k : ring.verifiable(st, now)) {
        previous.add(k.id());
      }
      List<String> members = memberIds(name, snap);
      if (st.current != null || st.problem != null || !previous.isEmpty() || !members.isEmpty()) {
        out.put(
            name,
            new KeyStatus(
                name, st.current == null ? null : st.current.id(), previous, members, st.problem));
      }
    }
    for (KeyRing ring : rings.values()) {
      String base = memberBase(ring.name());
      if (base != null && !out.containsKey(base)) {
        List<String> members = memberIds(base, snap);
        if (!members.isEmpty()) {
          out.put(base, new KeyStatus(base, null, List.of(), members, null));
        }
      }
    }
    return List.copyOf(out.values());
  }

  private List<String> memberIds(String base, SecretSnapshot snap) {
    List<String> ids = new ArrayList<>(2);
    for (String suffix : MEMBER_SUFFIXES) {
      KeyRing ring = rings.get(base + suffix);
      if (ring != null && (snap == null || snap.find(base + suffix) != null)) {
        KeyVersion k = ring.state().current;
        if (k != null) {
          ids.add(k.id());
        }
      }
    }
    return ids;
  }

  private static String memberBase(String name) {
    for (String suffix : MEMBER_SUFFIXES) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    subscription.close();
  }

  @Override
  public String toString() {
    return "LocalSigner[keys=" + rings.keySet() + ", grace=" + grace + "]";
  }

  /** A well-formed {@code v1:<id>:<mac>} signature. */
  static final class Parsed {
    final String keyId;
    final HmacAlgorithm algorithm;
    final byte[] mac;

    private Parsed(String keyId, HmacAlgorithm algorithm, byte[] mac) {
      this.keyId = keyId;
      this.algorithm = algorithm;
      this.mac = mac;
    }

    /** The parsed signature, or null if it is not exactly one this library makes. */
    static Parsed of(String signature) {
      if (signature == null || signature.length() > 200) {
        return null;
      }
      int idStart = Signer.FORMAT_VERSION.length() + 1;
      int idEnd = idStart + KeyVersion.KEY_ID_CHARS;
      if (!signature.startsWith(Signer.FORMAT_VERSION + ":")
          || signature.length() <= idEnd
          || signature.charAt(idEnd) != ':') {
        return null;
      }
      String id = signature.substring(idStart, idEnd);
      String encoded = signature.substring(idEnd + 1);
      byte[] mac;
      try {
        mac = KeyVersion.B64URL_DECODER.decode(encoded);
      } catch (IllegalArgumentException e) {
        return null;
      }
      HmacAlgorithm algorithm = HmacAlgorithm.forMacLength(mac.length);
      // Only the canonical encoding (no padding, zero trailing bits) is accepted, so each MAC has
      // exactly one valid signature string.
      if (algorithm == null || !KeyVersion.B64URL.encodeToString(mac).equals(encoded)) {
        return null;
      }
      return new Parsed(id, algorithm, mac);
    }
  }
}
