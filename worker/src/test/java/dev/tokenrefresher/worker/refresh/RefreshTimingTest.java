package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefreshTimingTest {

    private static final Duration INITIAL = Duration.ofSeconds(30);
    private static final Duration MAX = Duration.ofMinutes(30);

    @Test
    void retryDelayDoublesFromTheInitialDelay() {
        assertThat(RefreshTiming.retryDelay(1, INITIAL, MAX, null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RefreshTiming.retryDelay(2, INITIAL, MAX, null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(RefreshTiming.retryDelay(4, INITIAL, MAX, null)).isEqualTo(Duration.ofSeconds(240));
    }

    @Test
    void retryDelayStopsGrowingAtTheMaximum() {
        assertThat(RefreshTiming.retryDelay(7, INITIAL, MAX, null)).isEqualTo(MAX);
        assertThat(RefreshTiming.retryDelay(1_000, INITIAL, MAX, null)).isEqualTo(MAX);
    }

    @Test
    void providersRetryAfterWinsWhenItAsksForLonger() {
        assertThat(RefreshTiming.retryDelay(1, INITIAL, MAX, Duration.ofMinutes(5))).isEqualTo(Duration.ofMinutes(5));
        assertThat(RefreshTiming.retryDelay(3, INITIAL, MAX, Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(
                120));
    }
}
