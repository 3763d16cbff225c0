package io.secretsdk;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event it receives, for assertions. */
final class RecordingListener implements SecretListener {

  private final List<SecretChangeEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onChange(SecretChangeEvent event) {
    events.add(event);
  }

  List<SecretChangeEvent> events() {
    return List.copyOf(events);
  }

  SecretChangeEvent last() {
    return events.get(events.size() - 1);
  }

  int count() {
    return events.size();
  }
}
