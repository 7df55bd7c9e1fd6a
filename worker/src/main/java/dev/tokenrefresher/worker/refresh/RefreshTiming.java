package dev.tokenrefresher.worker.refresh;

import java.time.Duration;
import java.time.Instant;

/** How long to wait before a retry: pure arithmetic, tested on its own. */
final class RefreshTiming {

    private RefreshTiming() {
    }

    /**
     * The delay before retry number {@code attempt} (1 for the first retry): the initial delay doubled per attempt,
     * capped, never less than what the provider asked for in {@code Retry-After}.
     */
    static Duration retryDelay(int attempt, Duration initial, Duration max, Duration retryAfter) {
        Duration delay = initial;
        for (int i = 1; i < attempt && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        if (delay.compareTo(max) > 0) {
            delay = max;
        }
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        return delay;
    }

    /**
     * A retry delay that cannot outlive the refresh token: at most half the time it has left, so that however long
     * a provider's {@code Retry-After} (a day, a week), the next attempt comes while the token still works, and each
     * further one halves the rest. Never below {@link #MIN_RETRY_DELAY}: the ladder delays whole seconds.
     *
     * @param refreshExpiresAt when the refresh token expires; {@code null} when it does not
     */
    static Duration beforeRefreshExpiry(Duration delay, Instant now, Instant refreshExpiresAt) {
        if (refreshExpiresAt == null) {
            return delay;
        }
        Duration half = Duration.between(now, refreshExpiresAt).dividedBy(2);
        if (half.compareTo(MIN_RETRY_DELAY) < 0) {
            return MIN_RETRY_DELAY;
        }
        return delay.compareTo(half) <= 0 ? delay : half;
    }

    static final Duration MIN_RETRY_DELAY = Duration.ofSeconds(1);

    /**
     * What a message due after an end the database keeps (a lease, a quiet period) adds to it: the ladder rounds delays
     * down to whole seconds, so a message due exactly at the end would arrive before it and be turned away again.
     */
    static final Duration LADDER_ROUNDING = Duration.ofSeconds(1);

    /**
     * The delay of a retry after a call the provider may still be serving (it timed out): no shorter than the
     * provider's quiet period, whatever the ladder's back-off or the refresh token's remaining life say. Calling within
     * the quiet period could overlap the first call, and a provider that serves that one first ends the chain; the
     * claim refuses it anyway ({@code quiet_until}), so a shorter delay would only come back to wait.
     *
     * @param quietPeriod {@code Duration.ZERO} after any other failure: the delay stays as it is
     */
    static Duration afterQuietPeriod(Duration delay, Duration quietPeriod) {
        if (quietPeriod.isZero()) {
            return delay;
        }
        Duration quietEnd = quietPeriod.plus(LADDER_ROUNDING);
        return delay.compareTo(quietEnd) >= 0 ? delay : quietEnd;
    }
}
