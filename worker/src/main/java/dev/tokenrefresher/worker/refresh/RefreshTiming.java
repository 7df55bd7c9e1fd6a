package dev.tokenrefresher.worker.refresh;

import java.time.Duration;

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
}
