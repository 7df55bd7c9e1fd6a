package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
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

    @Test
    void aRetryAfterATimeoutWaitsTheQuietPeriodAndTheLaddersRoundingUnlessTheBackOffIsLonger() {
        Duration quiet = Duration.ofSeconds(45);

        assertThat(RefreshTiming.afterQuietPeriod(INITIAL, quiet)).isEqualTo(Duration.ofSeconds(46));
        assertThat(RefreshTiming.afterQuietPeriod(Duration.ofMinutes(4), quiet)).isEqualTo(Duration.ofMinutes(4));
        assertThat(RefreshTiming.afterQuietPeriod(INITIAL, Duration.ZERO)).isEqualTo(INITIAL);
    }

    @Test
    void aLongRetryAfterIsCappedAtHalfTheRefreshTokensRemainingLife() {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        Instant expiresInTwoHours = now.plus(Duration.ofHours(2));
        Duration aWeek = RefreshTiming.retryDelay(1, Duration.ofSeconds(30), Duration.ofMinutes(30), Duration.ofDays(
                7));

        assertThat(RefreshTiming.beforeRefreshExpiry(aWeek, now, expiresInTwoHours)).isEqualTo(Duration.ofHours(1));
        assertThat(RefreshTiming.beforeRefreshExpiry(Duration.ofMinutes(5), now, expiresInTwoHours)).isEqualTo(
                Duration.ofMinutes(5));
        assertThat(RefreshTiming.beforeRefreshExpiry(aWeek, now, null)).isEqualTo(Duration.ofDays(7));
        // a token about to expire is retried at once, never scheduled after its expiry
        assertThat(RefreshTiming.beforeRefreshExpiry(aWeek, now, now.plusMillis(500))).isEqualTo(Duration
                .ofSeconds(1));
    }
}
