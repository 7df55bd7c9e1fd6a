package dev.tokenrefresher.scheduler.keys;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The re-encryption job ({@code refresher.keys.*}), which moves every encrypted value to the primary key and the
 * current ciphertext format after a key rotation (docs/operations.md, "Encryption key rotation").
 *
 * @param reencryption whether this scheduler runs the job (default true; several schedulers take batches in turn)
 * @param batchSize rows read and rewritten per transaction (default {@value #DEFAULT_BATCH_SIZE})
 * @param batchPause pause between batches, which bounds the job's load on PostgreSQL (default 100 ms: with the default
 *            batch at most about 5,000 rows a second)
 * @param settle rows changed less than this ago are left for the next pass (default 15 minutes): a worker frozen past
 *            its lease may still store the tokens it holds against the ciphertext it read
 * @param interval time between passes (default 10 minutes); a pass also starts when the scheduler starts, which is
 *            when a new primary key takes effect
 */
@ConfigurationProperties("refresher.keys")
public record KeysProperties(Boolean reencryption, Integer batchSize, Duration batchPause, Duration settle,
        Duration interval) {

    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_BATCH_PAUSE = Duration.ofMillis(100);
    public static final Duration DEFAULT_SETTLE = Duration.ofMinutes(15);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    public KeysProperties {
        reencryption = reencryption == null || reencryption;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        batchPause = batchPause == null ? DEFAULT_BATCH_PAUSE : batchPause;
        settle = settle == null ? DEFAULT_SETTLE : settle;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("refresher.keys.batch-size must be 1 to 10000, was " + batchSize);
        }
        if (batchPause.isNegative() || settle.isNegative() || !interval.isPositive()) {
            throw new IllegalArgumentException("refresher.keys.batch-pause and settle must not be negative and "
                    + "interval must be positive; were " + batchPause + ", " + settle + ", " + interval);
        }
    }
}
