package dev.tokenrefresher.scheduler.attempts;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Retention of the attempt log, the {@code refresh_attempt} table ({@code refresher.attempts.*}). At 1 million
 * QuickBooks connections it grows by about 24 million rows, 5.5 GiB, a day (docs/scaling.md); the scheduler deletes
 * what is older than the retention, in small batches, so that no statement holds many locks or writes much WAL at once.
 *
 * @param prune whether this scheduler deletes old attempts (default true; several schedulers share the work, each
 *            batch is claimed by one)
 * @param retention how long an attempt is kept (default 30 days, at least 1 day): what {@code GET
 *            /api/connections/{id}} and {@code refresherctl connections show} can list
 * @param batchSize attempts deleted per statement (default 5,000; 1 to 100,000)
 * @param pauseBetweenBatches the pause after each full batch (default 100 ms), which keeps a large backlog (the first
 *            run after an upgrade) from taking the database's I/O and WAL from the refreshes
 * @param checkInterval time between runs (default 1 hour); a run goes on until nothing older than the retention is
 *            left
 */
@ConfigurationProperties("refresher.attempts")
public record AttemptLogProperties(Boolean prune, Duration retention, Integer batchSize, Duration pauseBetweenBatches,
        Duration checkInterval) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    /** Shorter would leave an operator no history of yesterday's failures. */
    public static final Duration MIN_RETENTION = Duration.ofDays(1);
    public static final int DEFAULT_BATCH_SIZE = 5_000;
    public static final int MAX_BATCH_SIZE = 100_000;
    public static final Duration DEFAULT_PAUSE_BETWEEN_BATCHES = Duration.ofMillis(100);
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(1);

    public AttemptLogProperties {
        prune = prune == null || prune;
        retention = retention == null ? DEFAULT_RETENTION : retention;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        pauseBetweenBatches = pauseBetweenBatches == null ? DEFAULT_PAUSE_BETWEEN_BATCHES : pauseBetweenBatches;
        checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
        if (retention.compareTo(MIN_RETENTION) < 0) {
            throw new IllegalArgumentException("refresher.attempts.retention must be at least " + MIN_RETENTION
                    + ", was " + retention);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("refresher.attempts.batch-size must be 1 to " + MAX_BATCH_SIZE
                    + ", was " + batchSize);
        }
        if (pauseBetweenBatches.isNegative()) {
            throw new IllegalArgumentException("refresher.attempts.pause-between-batches must not be negative, was "
                    + pauseBetweenBatches);
        }
        if (!checkInterval.isPositive()) {
            throw new IllegalArgumentException("refresher.attempts.check-interval must be positive, was "
                    + checkInterval);
        }
    }
}
