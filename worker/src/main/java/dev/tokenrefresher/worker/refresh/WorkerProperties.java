package dev.tokenrefresher.worker.refresh;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Worker settings ({@code refresher.worker.*}).
 *
 * @param id this instance's name in leases, attempts and dead letters (default: the JVM's {@code pid@host})
 * @param lease how long a claim protects a connection from other actors at most (default 2 minutes); it must cover
 *            the worst case between a claim and the store of its result for every provider ({@link LeaseBudget}:
 *            the calls with their bulkhead and rate-limiter waits, the pauses between fast retries, the store's
 *            retries and its wait in the group commit), which start-up checks, and it is how long a crashed worker's
 *            connections wait before another worker takes them over. A claim's lease is shortened to half the
 *            connection's access-token lifetime where that is shorter, but never below that worst case
 * @param prefetch unacknowledged messages per consumer (default two of its provider's batches, at least
 *            {@value #MIN_DEFAULT_PREFETCH}, {@link #prefetchFor(int)}); at least the batch size, so that deliveries are
 *            at hand as soon as a place frees up
 * @param batchSize deliveries a consumer takes from its prefetch at a time (default {@value #DEFAULT_BATCH_SIZE}); each
 *            is refreshed at once on its own virtual thread and settled as soon as it is done ({@link RefreshDispatcher}),
 *            never waiting for the others. A provider's {@code concurrency} is split into consumers of this many (a
 *            concurrency of 8 is one consumer taking up to 8)
 * @param batchWait how long a consumer waits for more deliveries before it takes a batch that is not full
 *            (default 50 ms): the most a quiet queue adds to a refresh's lateness
 * @param statementBatchSize the most claims, and the most stored refreshes, written by one statement (default
 *            {@value #DEFAULT_STATEMENT_BATCH_SIZE}): a refresh's claim and store wait for the statement in flight and go
 *            out with the others that queued up meanwhile, so a busy worker commits tens of rows at a time and a quiet one
 *            writes each at once; 1 writes every row by itself
 * @param earlyTolerance a message arriving up to this much before its due time is processed at once (default 1 s,
 *            and at least that); earlier ones are re-delayed. The ladder rounds delays down to whole seconds, so a
 *            message arrives up to a second early by design, a little more when the broker's clock is corrected.
 * @param fastRetries provider calls in one go for a transient failure, the first included (default
 *            {@value #DEFAULT_FAST_RETRIES}; 1 = no fast retry)
 * @param fastRetryBackoff the pause before the first fast retry (default 200 ms); it doubles, with jitter
 * @param fastRetryMaxBackoff the longest pause between fast retries (default 2 s)
 * @param retryInitialDelay the first delayed retry, through the ladder, after the fast retries failed (default 30 s)
 * @param retryMaxDelay the longest delay between delayed retries (default 30 minutes); delays double up to it
 * @param maxAttempts delayed attempts of one refresh before it is dead-lettered (default {@value #DEFAULT_MAX_ATTEMPTS})
 * @param pausedDelay how long a message waits when its provider's circuit breaker, rate limiter or bulkhead did not
 *            let it through (default 5 s); no attempt is counted
 * @param storeRetryTimeout how long a worker keeps trying to store tokens a provider issued while the database is
 *            unreachable (default 10 s) before it hands them to RabbitMQ's hand-off queue, from which the first app to
 *            reach the database again stores them (DESIGN decision 10)
 * @param brokerRetryTimeout how long a worker keeps trying to publish the next message or a dead letter while the
 *            broker is unreachable (default 30 s); after that the reconciliation sweep repairs the chain
 * @param statementMaxWait how long a claim or a store waits for the grouped statement ahead of it before it gives up
 *            (default 2 s): the store is then tried again within {@code store-retry-timeout}, the claim with the
 *            delivery. It bounds the time a refresh's result spends queued, which the lease must cover
 * @param lateWarning a refresh that starts more than this after its due time is logged at WARN (default 30 s, the
 *            threshold of the {@code RefreshesLate} alert): at most one line per provider per
 *            {@link LateStartWarnings#INTERVAL}, with how many were late since the last line and the worst of them, so
 *            a worker that falls behind says so in its log and not only in the lateness metric
 * @param shutdownGrace how long a stopping worker (SIGTERM) takes at most to finish its refreshes under way, record
 *            what the provider issued (stored, or handed off) and settle every delivery on its still-open channel
 *            before it closes its consumers (default 40 s). Start-up refuses a grace shorter than what one refresh
 *            under way may still need ({@link LeaseBudget#forShutdown}: its provider call with the bulkhead and rate
 *            limiter waits, the store retries, the hand-off, the group commit's wait and the statements; 34 s with
 *            the defaults). The orchestrator must wait longer before it kills: Kubernetes'
 *            {@code terminationGracePeriodSeconds} and docker compose's {@code stop_grace_period} are 60 s in
 *            deploy/ and docker-compose.yml
 */
@ConfigurationProperties("refresher.worker")
public record WorkerProperties(
        String id,
        Duration lease,
        Integer prefetch,
        Integer batchSize,
        Duration batchWait,
        Integer statementBatchSize,
        Duration earlyTolerance,
        Integer fastRetries,
        Duration fastRetryBackoff,
        Duration fastRetryMaxBackoff,
        Duration retryInitialDelay,
        Duration retryMaxDelay,
        Integer maxAttempts,
        Duration pausedDelay,
        Duration storeRetryTimeout,
        Duration brokerRetryTimeout,
        Duration statementMaxWait,
        Duration lateWarning,
        Duration shutdownGrace) {

    /** Covers the worst case of the other defaults, 115 s ({@link LeaseBudget}), with some room. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(2);
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int MIN_DEFAULT_PREFETCH = 100;
    public static final Duration DEFAULT_BATCH_WAIT = Duration.ofMillis(50);
    public static final int DEFAULT_STATEMENT_BATCH_SIZE = 100;
    public static final Duration DEFAULT_EARLY_TOLERANCE = Duration.ofSeconds(1);
    public static final Duration MIN_EARLY_TOLERANCE = Duration.ofSeconds(1);
    public static final int DEFAULT_FAST_RETRIES = 3;
    public static final Duration DEFAULT_FAST_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_FAST_RETRY_MAX_BACKOFF = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 12;
    public static final Duration DEFAULT_PAUSED_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_STORE_RETRY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BROKER_RETRY_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STATEMENT_MAX_WAIT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_LATE_WARNING = Duration.ofSeconds(30);
    /**
     * Covers the defaults' worst case for a refresh under way, 34 s (10-s request timeout, 1-s bulkhead and 5-s rate
     * limiter waits, 10-s store retries, 5-s hand-off confirm, 2-s group-commit wait, 1 s of statements), with room.
     */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(40);

    public WorkerProperties {
        id = id == null || id.isBlank() ? ManagementFactory.getRuntimeMXBean().getName() : id;
        lease = lease == null ? DEFAULT_LEASE : lease;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        batchWait = batchWait == null ? DEFAULT_BATCH_WAIT : batchWait;
        statementBatchSize = statementBatchSize == null ? DEFAULT_STATEMENT_BATCH_SIZE : statementBatchSize;
        earlyTolerance = earlyTolerance == null ? DEFAULT_EARLY_TOLERANCE : earlyTolerance;
        fastRetries = fastRetries == null ? DEFAULT_FAST_RETRIES : fastRetries;
        fastRetryBackoff = fastRetryBackoff == null ? DEFAULT_FAST_RETRY_BACKOFF : fastRetryBackoff;
        fastRetryMaxBackoff = fastRetryMaxBackoff == null ? DEFAULT_FAST_RETRY_MAX_BACKOFF : fastRetryMaxBackoff;
        retryInitialDelay = retryInitialDelay == null ? DEFAULT_RETRY_INITIAL_DELAY : retryInitialDelay;
        retryMaxDelay = retryMaxDelay == null ? DEFAULT_RETRY_MAX_DELAY : retryMaxDelay;
        maxAttempts = maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts;
        pausedDelay = pausedDelay == null ? DEFAULT_PAUSED_DELAY : pausedDelay;
        storeRetryTimeout = storeRetryTimeout == null ? DEFAULT_STORE_RETRY_TIMEOUT : storeRetryTimeout;
        brokerRetryTimeout = brokerRetryTimeout == null ? DEFAULT_BROKER_RETRY_TIMEOUT : brokerRetryTimeout;
        statementMaxWait = statementMaxWait == null ? DEFAULT_STATEMENT_MAX_WAIT : statementMaxWait;
        lateWarning = lateWarning == null ? DEFAULT_LATE_WARNING : lateWarning;
        shutdownGrace = shutdownGrace == null ? DEFAULT_SHUTDOWN_GRACE : shutdownGrace;
        if (id.length() > 128) {
            throw new IllegalArgumentException("refresher.worker.id must be at most 128 characters");
        }
        requirePositive("lease", lease);
        requirePositive("fast-retry-backoff", fastRetryBackoff);
        requirePositive("paused-delay", pausedDelay);
        requirePositive("batch-wait", batchWait);
        requirePositive("store-retry-timeout", storeRetryTimeout);
        requirePositive("statement-max-wait", statementMaxWait);
        requirePositive("late-warning", lateWarning);
        requirePositive("shutdown-grace", shutdownGrace);
        if (earlyTolerance.compareTo(MIN_EARLY_TOLERANCE) < 0) {
            // a message re-delayed by less than a second comes straight back: it would loop until it is due
            throw new IllegalArgumentException("refresher.worker.early-tolerance must be at least 1s (the delay "
                    + "ladder delivers up to a second early), was " + earlyTolerance);
        }
        if (batchSize < 1 || statementBatchSize < 1 || maxAttempts < 1 || fastRetries < 1) {
            throw new IllegalArgumentException("refresher.worker.batch-size, statement-batch-size, max-attempts and "
                    + "fast-retries must be at least 1");
        }
        if (prefetch != null && prefetch < batchSize) {
            throw new IllegalArgumentException("refresher.worker.prefetch (" + prefetch
                    + ") must be at least refresher.worker.batch-size (" + batchSize + ")");
        }
    }

    /** Deliveries per batch for a provider: the batch size, or the provider's whole concurrency if that is smaller. */
    public int batchSizeFor(int concurrency) {
        return Math.min(batchSize, concurrency);
    }

    /**
     * Unacknowledged messages per consumer of a provider: as set, or two of its batches and at least
     * {@value #MIN_DEFAULT_PREFETCH}. The chaos run (concurrency 16, a 2-s lead time, workers killed and the broker
     * restarted) refreshed 233 and 546 connections after expiry with a prefetch of 32, 17 with 100.
     */
    public int prefetchFor(int concurrency) {
        return prefetch != null ? prefetch : Math.max(MIN_DEFAULT_PREFETCH, 2 * batchSizeFor(concurrency));
    }

    /** Consumers for a provider: enough batches in parallel to reach its concurrency. */
    public int consumersFor(int concurrency) {
        int batch = batchSizeFor(concurrency);
        return (concurrency + batch - 1) / batch;
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("refresher.worker." + name + " must be positive, was " + value);
        }
    }
}
