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
import java.util.Collections;
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
 */
final class LocalSigner implements Signer {

  private static final System.Logger LOG = System.getLogger(Signer.class.getName());

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
    KeyRing.State st = state(keyName);
    Parsed parsed = Parsed.of(signature);
    return parsed != null && check(rings.get(keyName), st, parsed, message, clock.instant());
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(signatures, "signatures");
    if (messages.size() != signatures.size()) {
      throw new IllegalArgumentException(
          "verifyBatch needs one signature per message: " + messages.size() + " messages, " + signatures.size() + " signatures");
    }
    KeyRing.State st = state(keyName);
    KeyRing ring = rings.get(keyName);
    Instant now = clock.instant();
    Boolean[] out = new Boolean[messages.size()];
    for (int i = 0; i < out.length; i++) {
      byte[] message = messages.get(i);
      if (message == null) {
        throw new NullPointerException("messages[" + i + "] is null");
      }
      Parsed parsed = Parsed.of(signatures.get(i));
      out[i] = parsed != null && check(ring, st, parsed, message, now);
    }
    return List.of(out);
  }

  /** Also used by the sidecar, which parses once and checks with the same instant. */
  boolean check(KeyRing ring, KeyRing.State st, Parsed parsed, byte[] message, Instant now) {
    boolean valid = false;
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
    return valid;
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
    if (closed) {
      throw new IllegalStateException("the signer is closed");
    }
    SecretSnapshot snap = store.snapshot();
    Secret secret = snap.find(keyName);
    KeyRing ring = rings.get(keyName);
    if (ring == null) {
      if (secret == null) {
        throw new SigningKeyNotFoundException(keyName, "no signing key named '" + HmacAlgorithm.abbreviate(keyName) + "'");
      }
      ring = ring(keyName);
    }
    KeyRing.State st = ring.state();
    if (st.seen != secret) {
      st = ring.observe(secret, snap.revision());
    }
    if (st.current == null && st.problem == null && ring.verifiable(st, clock.instant()).isEmpty()) {
      throw new SigningKeyNotFoundException(
          keyName, "no signing key named '" + HmacAlgorithm.abbreviate(keyName) + "' (it was removed and its grace period is over)");
    }
    return st;
  }

  private static SigningKeyNotFoundException notUsable(String keyName, KeyRing.State st) {
    if (st.problem != null) {
      return new SigningKeyNotFoundException(keyName, st.problem);
    }
    return new SigningKeyNotFoundException(
        keyName, "no signing key named '" + HmacAlgorithm.abbreviate(keyName) + "' (it was removed; old signatures still verify)");
  }

  KeyRing ring(String name) {
    return rings.computeIfAbsent(name, n -> new KeyRing(n, grace, maxOldKeys, minKeyBytes, clock, log));
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

  /** Name, current key id (or null) and problem for every name this signer knows, sorted. */
  List<KeyStatus> status() {
    Instant now = clock.instant();
    List<KeyStatus> out = new ArrayList<>();
    for (KeyRing ring : rings.values()) {
      KeyRing.State st = ring.state();
      List<String> previous = new ArrayList<>();
      for (KeyVersion k : ring.verifiable(st, now)) {
        previous.add(k.id());
      }
      if (st.current != null || st.problem != null || !previous.isEmpty()) {
        out.add(new KeyStatus(ring.name(), st.current == null ? null : st.current.id(), st.problem, previous));
      }
    }
    out.sort((a, b) -> a.name.compareTo(b.name));
    return Collections.unmodifiableList(out);
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

  /** What the signer knows about one name; never key bytes. */
  static final class KeyStatus {
    final String name;
    final String keyId;
    final String problem;
    final List<String> previousKeyIds;

    KeyStatus(String name, String keyId, String problem, List<String> previousKeyIds) {
      this.name = name;
      this.keyId = keyId;
      this.problem = problem;
      this.previousKeyIds = List.copyOf(previousKeyIds);
    }
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
