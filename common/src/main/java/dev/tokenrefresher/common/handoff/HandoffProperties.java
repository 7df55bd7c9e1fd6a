package dev.tokenrefresher.common.handoff;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The hand-off of issued tokens while PostgreSQL is down, bound from {@code refresher.handoff}.
 *
 * @param drainInterval how often each app looks for handed-off tokens to store (default
 *            {@value #DEFAULT_DRAIN_INTERVAL_TEXT}); also how long, at most, a takeover of an abandoned lease waits for
 *            the drain that allows it
 * @param batchSize hand-offs stored per statement and transaction by a drain (default {@value #DEFAULT_BATCH_SIZE})
 * @param confirmTimeout how long a hand-off waits for the broker's confirm (default
 *            {@value #DEFAULT_CONFIRM_TIMEOUT_TEXT}); part of the worst case a worker's lease must cover, since a holder
 *            must have handed off before its lease ends
 */
@ConfigurationProperties("refresher.handoff")
public record HandoffProperties(Duration drainInterval, Integer batchSize, Duration confirmTimeout) {

    static final String DEFAULT_DRAIN_INTERVAL_TEXT = "1s";
    public static final Duration DEFAULT_DRAIN_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_BATCH_SIZE = 100;
    static final String DEFAULT_CONFIRM_TIMEOUT_TEXT = "5s";
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

    public HandoffProperties {
        drainInterval = drainInterval == null ? DEFAULT_DRAIN_INTERVAL : drainInterval;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        confirmTimeout = confirmTimeout == null ? DEFAULT_CONFIRM_TIMEOUT : confirmTimeout;
        if (!confirmTimeout.isPositive()) {
            throw new IllegalArgumentException("refresher.handoff.confirm-timeout must be positive, was "
                    + confirmTimeout);
        }
        if (drainInterval.toMillis() < 10) {
            throw new IllegalArgumentException("refresher.handoff.drain-interval must be at least 10ms, was "
                    + drainInterval);
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("refresher.handoff.batch-size must be 1 to 1000, was " + batchSize);
        }
    }
}
