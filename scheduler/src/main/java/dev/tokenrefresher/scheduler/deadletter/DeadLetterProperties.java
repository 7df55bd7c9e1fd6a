package dev.tokenrefresher.scheduler.deadletter;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The dead-letter archive and replay ({@code refresher.dead-letters.*}).
 *
 * @param archiveInitialBackoff how long the archive waits before it tries a letter again after the database was
 *            unavailable (default 1 s); the letter is held meanwhile, not requeued, so no delivery is counted
 * @param archiveMaxBackoff the longest wait between two tries (default 1 minute): the back-off doubles up to it and
 *            stays there for as long as the database stays away
 * @param archiveBackoffMultiplier how much each wait grows over the one before (default 2)
 * @param replayPageSize dead letters a replay by filter reads, marks, rearms and publishes at a time (default
 *            {@value #DEFAULT_REPLAY_PAGE_SIZE}): a replay holds one page, however many letters it replays
 * @param replayProgressInterval how often a long replay logs its progress (default 10 s)
 * @param relayGrace how long a dead letter kept with its state change may wait for its sender before the relay
 *            publishes it (default 2 minutes: longer than a worker's {@code broker-retry-timeout}, 30 s, so that a live
 *            sender is done trying; a copy sent by both is skipped by the archive)
 * @param relayInterval time between the relay's looks at the kept letters (default 30 s)
 */
@ConfigurationProperties("refresher.dead-letters")
public record DeadLetterProperties(Duration archiveInitialBackoff, Duration archiveMaxBackoff,
        Double archiveBackoffMultiplier, Integer replayPageSize, Duration replayProgressInterval, Duration relayGrace,
        Duration relayInterval) {

    public static final Duration DEFAULT_ARCHIVE_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ARCHIVE_MAX_BACKOFF = Duration.ofMinutes(1);
    public static final double DEFAULT_ARCHIVE_BACKOFF_MULTIPLIER = 2.0;
    public static final int DEFAULT_REPLAY_PAGE_SIZE = 500;
    public static final Duration DEFAULT_REPLAY_PROGRESS_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RELAY_GRACE = Duration.ofMinutes(2);
    public static final Duration DEFAULT_RELAY_INTERVAL = Duration.ofSeconds(30);

    public DeadLetterProperties {
        archiveInitialBackoff = archiveInitialBackoff == null ? DEFAULT_ARCHIVE_INITIAL_BACKOFF : archiveInitialBackoff;
        archiveMaxBackoff = archiveMaxBackoff == null ? DEFAULT_ARCHIVE_MAX_BACKOFF : archiveMaxBackoff;
        archiveBackoffMultiplier = archiveBackoffMultiplier == null
                ? DEFAULT_ARCHIVE_BACKOFF_MULTIPLIER
                : archiveBackoffMultiplier;
        replayPageSize = replayPageSize == null ? DEFAULT_REPLAY_PAGE_SIZE : replayPageSize;
        replayProgressInterval = replayProgressInterval == null
                ? DEFAULT_REPLAY_PROGRESS_INTERVAL
                : replayProgressInterval;
        relayGrace = relayGrace == null ? DEFAULT_RELAY_GRACE : relayGrace;
        relayInterval = relayInterval == null ? DEFAULT_RELAY_INTERVAL : relayInterval;
        if (archiveInitialBackoff.isNegative() || archiveInitialBackoff.isZero()) {
            // a zero wait would spin on an unreachable database, which is what the back-off is for
            throw new IllegalArgumentException("refresher.dead-letters.archive-initial-backoff must be positive, was "
                    + archiveInitialBackoff);
        }
        if (archiveMaxBackoff.compareTo(archiveInitialBackoff) < 0) {
            throw new IllegalArgumentException("refresher.dead-letters.archive-max-backoff (" + archiveMaxBackoff
                    + ") must be at least archive-initial-backoff (" + archiveInitialBackoff + ")");
        }
        if (archiveBackoffMultiplier < 1.0) {
            throw new IllegalArgumentException("refresher.dead-letters.archive-backoff-multiplier must be at least 1, "
                    + "was " + archiveBackoffMultiplier);
        }
        if (relayGrace.isNegative() || !relayInterval.isPositive()) {
            throw new IllegalArgumentException("refresher.dead-letters.relay-grace must not be negative and "
                    + "relay-interval must be positive, were " + relayGrace + " and " + relayInterval);
        }
        if (replayPageSize < 1 || replayPageSize > 10_000) {
            throw new IllegalArgumentException("refresher.dead-letters.replay-page-size must be 1 to 10000, was "
                    + replayPageSize);
        }
    }

    /** The defaults. */
    public static DeadLetterProperties defaults() {
        return new DeadLetterProperties(null, null, null, null, null, null, null);
    }

    /** The wait after {@code previous}: {@code previous} times the multiplier, at most the maximum. */
    Duration nextBackoff(Duration previous) {
        long next = (long) Math.min(previous.toMillis() * archiveBackoffMultiplier, archiveMaxBackoff.toMillis());
        return Duration.ofMillis(Math.max(next, archiveInitialBackoff.toMillis()));
    }
}
