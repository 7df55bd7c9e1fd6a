package dev.tokenrefresher.worker.refresh;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Worker settings ({@code refresher.worker.*}).
 *
 * @param id this instance's name in leases, attempts and dead letters (default: the JVM's {@code pid@host})
 * @param lease how long a claim protects a connection from other actors (default 60 s); it must outlast every
 *            provider's request timeout, and it is how long a crashed worker's connections wait before another worker
 *            takes them over
 * @param prefetch unacknowledged messages per consumer (default {@value #DEFAULT_PREFETCH})
 * @param earlyTolerance a message arriving up to this much before its due time is processed at once (default 1 s);
 *            earlier ones are re-delayed. The ladder may deliver a little early when the broker's clock is corrected.
 * @param retryInitialDelay the first delayed retry after a transient failure (default 30 s)
 * @param retryMaxDelay the longest delay between retries (default 30 minutes); delays double up to it
 * @param maxAttempts provider calls for one refresh before it is dead-lettered (default {@value #DEFAULT_MAX_ATTEMPTS})
 */
@ConfigurationProperties("refresher.worker")
public record WorkerProperties(
        String id,
        Duration lease,
        Integer prefetch,
        Duration earlyTolerance,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        Integer maxAttempts) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    public static final int DEFAULT_PREFETCH = 10;
    public static final Duration DEFAULT_EARLY_TOLERANCE = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 12;

    public WorkerProperties {
        id = id == null || id.isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : id;
        lease = lease == null ? DEFAULT_LEASE : lease;
        prefetch = prefetch == null ? DEFAULT_PREFETCH : prefetch;
        earlyTolerance = earlyTolerance == null ? DEFAULT_EARLY_TOLERANCE : earlyTolerance;
        retryInitialDelay = retryInitialDelay == null ? DEFAULT_RETRY_INITIAL_DELAY : retryInitialDelay;
        retryMaxDelay = retryMaxDelay == null ? DEFAULT_RETRY_MAX_DELAY : retryMaxDelay;
        maxAttempts = maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts;
        if (id.length() > 128) {
            throw new IllegalArgumentException("refresher.worker.id must be at most 128 characters");
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("refresher.worker.lease must be positive, was " + lease);
        }
        if (prefetch < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("refresher.worker.prefetch and max-attempts must be at least 1");
        }
    }
}
