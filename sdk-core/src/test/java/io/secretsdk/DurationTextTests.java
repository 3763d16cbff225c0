package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTests {

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
    "PT5S, 5000",
    "pt5s, 5000",
    "PT0.5S, 500",
    "P7D, 604800000",
    "PT1H30M, 5400000",
    "5s, 5000",
    "5S, 5000",
    "' 5s ', 5000",
    "500ms, 500",
    "1m, 60000",
    "2h, 7200000",
    "7d, 604800000",
    "5000, 5000",
    "0, 0",
    "0s, 0",
    "-5s, -5000",
    "+5s, 5000",
    "-PT5S, -5000",
  })
  void readsIsoAndSpringStyleDurations(String text, long millis) {
    assertThat(DurationText.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void readsSubMillisecondUnits() {
    assertThat(DurationText.parse("1500us")).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(DurationText.parse("250ns")).isEqualTo(Duration.ofNanos(250));
  }

  @Test
  void bareNumberMeansMillisecondsLikeSpringBinding() {
    assertThat(DurationText.parse("5")).isEqualTo(Duration.ofMillis(5));
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(
      strings = {
        "",
        " ",
        "5 s",
        "5sec",
        "s",
        "1.5s",
        "PT",
        "P5",
        "five",
        "5w",
        "--5s",
        "99999999999999999999",
        "9223372036854775807us"
      })
  void refusesOtherTextNamingItAndTheAcceptedForms(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DurationText.parse(text))
        .withMessageContaining("'" + text + "' is not a duration")
        .withMessageContaining("PT5S")
        .withMessageContaining("5s")
        .withMessageContaining("bare number means milliseconds");
  }

  @Test
  void refusesNull() {
    assertThatNullPointerException().isThrownBy(() -> DurationText.parse(null));
  }
}
