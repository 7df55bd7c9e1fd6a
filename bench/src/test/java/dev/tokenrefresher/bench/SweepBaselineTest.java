package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SweepBaselineTest {

    private static final long STARTED = 1_000_000_000L;
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    private static long at(double seconds) {
        return STARTED + (long) (seconds * 1e9);
    }

    @Test
    void aPassThatEndsWithinItsIntervalIsFollowedByTheNextTick() {
        assertThat(SweepBaseline.nextTick(STARTED, FIVE_SECONDS, at(1.2))).isEqualTo(at(5));
    }

    @Test
    void aPassThatOverrunsItsIntervalSkipsTheTicksItMissedAsACronJobBehindALockDoes() {
        assertThat(SweepBaseline.nextTick(STARTED, FIVE_SECONDS, at(11.7))).isEqualTo(at(15));
    }

    @Test
    void aPassEndingExactlyOnATickDoesNotRunThatTickAgain() {
        assertThat(SweepBaseline.nextTick(STARTED, FIVE_SECONDS, at(5))).isEqualTo(at(10));
    }
}
