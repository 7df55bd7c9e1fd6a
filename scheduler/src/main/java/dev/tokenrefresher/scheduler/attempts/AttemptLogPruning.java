package dev.tokenrefresher.scheduler.attempts;

import dev.tokenrefresher.scheduler.periodic.PeriodicJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Deletes attempts older than {@code refresher.attempts.retention} from the attempt log, every {@code check-interval},
 * batch after batch until none is left; the counter {@code refresher.attempts.pruned} counts them. A large backlog
 * (the first run on an installation that kept everything) is logged as it goes.
 */
@Component
class AttemptLogPruning extends PeriodicJob {

    private static final Logger log = LoggerFactory.getLogger(AttemptLogPruning.class);
    /** A long run says how far it got every this many batches. */
    static final int PROGRESS_EVERY_BATCHES = 100;
    /** The first run comes soon after a start, not an interval later: a restarted scheduler does not skip a run. */
    private static final Duration FIRST_RUN_AFTER = Duration.ofMinutes(1);

    private final OldestAttempts oldest;
    private final AttemptLogProperties properties;
    private final Clock clock;
    private final Counter pruned;

    AttemptLogPruning(OldestAttempts oldest, AttemptLogProperties properties, MeterRegistry meters, Clock clock) {
        super("attempt-log-pruning", properties.prune(), FIRST_RUN_AFTER, properties
                .checkInterval());
        this.oldest = oldest;
        this.properties = properties;
        this.clock = clock;
        this.pruned = Counter.builder("refresher.attempts.pruned")
                .description("Attempts deleted from the attempt log (refresh_attempt) because they were older than "
                        + "refresher.attempts.retention")
                .register(meters);
    }

    /**
     * What one run did.
     *
     * @param finished whether it reached the attempts within the retention (false: interrupted by a stop)
     */
    record Run(Instant cutoff, long deleted, int batches, Duration took, boolean finished) {
    }

    /** One run: deletes batches until an attempt within the retention (or the log's end) is reached. */
    Run prune() {
        Instant cutoff = clock.instant().minus(properties.retention());
        long started = System.nanoTime();
        long deleted = 0;
        int batches = 0;
        boolean finished = false;
        while (!Thread.currentThread().isInterrupted()) {
            OldestAttempts.Batch batch = oldest.deleteOlderThan(cutoff, properties.batchSize());
            batches++;
            deleted += batch.deleted();
            pruned.increment(batch.deleted());
            if (batch.reachedRetained()) {
                finished = true;
                break;
            }
            if (batches % PROGRESS_EVERY_BATCHES == 0) {
                log.info("attempt log: {} attempt(s) older than {} deleted so far, in {} batches; going on", deleted,
                        cutoff, batches);
            }
            if (!pause()) {
                break;
            }
        }
        Run run = new Run(cutoff, deleted, batches, Duration.ofNanos(System.nanoTime() - started), finished);
        if (deleted > 0 || !finished) {
            log.info("attempt log: {} attempt(s) older than {} deleted in {} batch(es), {} ms{}", deleted, cutoff,
                    batches, run.took().toMillis(), finished ? "" : "; stopped before the end");
        }
        return run;
    }

    private boolean pause() {
        if (properties.pauseBetweenBatches().isZero()) {
            return true;
        }
        try {
            Thread.sleep(properties.pauseBetweenBatches());
            return true;
        } catch (InterruptedException e) {
            // the scheduler is stopping: the rest waits for the next run
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    protected void runOnce() {
        try {
            prune();
        } catch (DataAccessException e) {
            // PostgreSQL away or a statement timeout: what is left goes with the next run
            log.warn("attempt log not pruned ({}: {}); next run in {}", e.getClass().getSimpleName(), e
                    .getMostSpecificCause().getMessage(), properties.checkInterval());
        }
    }

    @Override
    protected String disabledMessage() {
        return "the attempt log is not pruned by this scheduler (refresher.attempts.prune=false)";
    }
}
