package dev.tokenrefresher.scheduler.sweep;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The reconciliation sweep ({@code refresher.sweep.*}), which re-enqueues chains whose message was lost.
 *
 * @param enabled whether this scheduler instance sweeps at all (default true; several may, one at a time)
 * @param interval time between sweeps (default 1 minute)
 * @param grace how long before a moment its provider's work queue was seen drained (see {@link WorkQueueWatch}) an
 *            ACTIVE connection must have been due to count as lost (default 2 minutes); longer than the ladder's worst
 *            lateness plus the apps' clock skew, so that live chains are never re-enqueued
 * @param batchSize connections re-enqueued per transaction (default {@value #DEFAULT_BATCH_SIZE})
 */
@ConfigurationProperties("refresher.sweep")
public record SweepProperties(Boolean enabled, Duration interval, Duration grace, Integer batchSize) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);
    public static final int DEFAULT_BATCH_SIZE = 1000;

    public SweepProperties {
        enabled = enabled == null || enabled;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        grace = grace == null ? DEFAULT_GRACE : grace;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        if (batchSize < 1) {
            throw new IllegalArgumentException("refresher.sweep.batch-size must be at least 1, was " + batchSize);
        }
    }
}
