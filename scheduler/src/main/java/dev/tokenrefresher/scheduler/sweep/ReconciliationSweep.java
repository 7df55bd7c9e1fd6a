package dev.tokenrefresher.scheduler.sweep;

import dev.tokenrefresher.common.connection.OverdueConnections;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Repairs lost chains: a publish that failed after its commit, a message lost with a broker, a queue purged by hand.
 * Every lost ACTIVE connection gets a new fence (so that a late original is dropped) and a due-now message.
 *
 * <p>Lost, not merely waiting: a connection counts only if it was due more than {@code grace} before a moment its
 * provider's work queue was seen drained ({@link WorkQueueWatch}: consumed, nothing waiting) at an earlier sweep, and
 * the queue is drained at this one too. Its message must then have reached a worker, which would have moved the row's
 * due time on. While a provider's consumers are stopped (its
 * breaker is open, no worker runs) or its queue holds a backlog, its overdue connections wait with their one message
 * each instead of gaining one more per grace period (issue 20, point 5).
 */
@Component
public class ReconciliationSweep {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationSweep.class);

    private final OverdueConnections overdue;
    private final RefreshPublisher publisher;
    private final SweepProperties properties;
    private final Clock clock;
    private final WorkQueueWatch watch;
    private final Map<String, Counter> reenqueued = new LinkedHashMap<>();

    /** Public for the system tests, which run the sweep in-process on a scaled clock. */
    public ReconciliationSweep(OverdueConnections overdue, RefreshPublisher publisher, SweepProperties properties,
            Clock clock, WorkQueueWatch watch, MeterRegistry registry) {
        this.overdue = overdue;
        this.publisher = publisher;
        this.properties = properties;
        this.clock = clock;
        this.watch = watch;
        for (String provider : watch.providers()) {
            reenqueued.put(provider, Counter.builder("refresher.sweep.reenqueued")
                    .description("Connections the reconciliation sweep found lost and re-enqueued")
                    .tag("provider", provider)
                    .register(registry));
        }
    }

    @Scheduled(initialDelayString = "${refresher.sweep.interval:PT1M}", fixedDelayString = "${refresher.sweep.interval:PT1M}")
    void scheduled() {
        if (properties.enabled()) {
            sweep();
        }
    }

    /** @return how many connections were re-enqueued; 0 also when another scheduler holds the sweep lock */
    public int sweep() {
        Map<String, Instant> drained = watch.lookNow(clock.instant());
        int total = 0;
        for (String provider : watch.providers()) {
            Instant look = drained.get(provider);
            if (look == null) {
                log.debug("provider {}: its work queue is not drained now, or was not before; nothing of it counts "
                        + "as lost", provider);
                continue;
            }
            int swept = sweep(provider, look.minus(properties.grace()));
            if (swept < 0) {
                log.debug("another scheduler is sweeping");
                return total;
            }
            total += swept;
        }
        return total;
    }

    /** @return connections re-enqueued, or -1 if another scheduler holds the sweep lock */
    private int sweep(String provider, Instant dueBefore) {
        int total = 0;
        while (true) {
            Instant now = clock.instant();
            OverdueConnections.SweepResult result = overdue.rescheduleOverdue(provider, dueBefore, now,
                    properties.batchSize());
            if (!result.leader()) {
                return total == 0 ? -1 : total;
            }
            List<Rescheduled> batch = result.rescheduled();
            List<PublishFailedException> failures = publisher.publishAll(batch.stream()
                    .map(r -> new RefreshPublisher.Outgoing(r.provider(),
                            new RefreshMessage(r.connectionId(), r.fence(),
                                    r.dueAt(), 0)))
                    .toList(), now);
            failures.forEach(failure -> log.warn("{}; the next sweep retries it", failure.getMessage()));
            total += batch.size();
            reenqueued.get(provider).increment(batch.size());
            if (batch.size() < properties.batchSize() || !failures.isEmpty()) {
                break;
            }
        }
        if (total > 0) {
            log.warn("reconciliation sweep re-enqueued {} connection(s) of provider {} due before {}, when its work "
                    + "queue had been consumed to the end: their messages were lost", total, provider, dueBefore);
        }
        return total;
    }
}
