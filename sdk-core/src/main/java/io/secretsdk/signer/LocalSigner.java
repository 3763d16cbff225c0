package io.secretsdk.signer;

import java.util.List;

/** A signer that holds the keys, read from a store. */
final class LocalSigner implements Signer {

  LocalSigner(LocalSignerBuilder builder) {}

  @Override
  public String sign(String keyName, byte[] message, HmacAlgorithm algorithm) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public boolean verify(String keyName, byte[] message, String signature) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public List<String> signBatch(String keyName, List<byte[]> messages, HmacAlgorithm algorithm) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public List<Boolean> verifyBatch(String keyName, List<byte[]> messages, List<String> signatures) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() {}
}
