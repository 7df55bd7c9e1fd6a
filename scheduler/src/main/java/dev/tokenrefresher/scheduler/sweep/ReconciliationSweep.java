package dev.tokenrefresher.scheduler.sweep;

import dev.tokenrefresher.common.connection.OverdueConnections;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Repairs lost chains: a publish that failed after its commit, a message lost with a broker, a queue purged by hand.
 * Every overdue ACTIVE connection gets a new fence (so that a late original is dropped) and a due-now message.
 */
@Component
public class ReconciliationSweep {

    private static final Logger log = LoggerFactory.getLogger(ReconciliationSweep.class);

    private final OverdueConnections overdue;
    private final RefreshPublisher publisher;
    private final SweepProperties properties;
    private final Clock clock;

    ReconciliationSweep(OverdueConnections overdue, RefreshPublisher publisher, SweepProperties properties,
            Clock clock) {
        this.overdue = overdue;
        this.publisher = publisher;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "${refresher.sweep.interval:PT1M}", fixedDelayString = "${refresher.sweep.interval:PT1M}")
    void scheduled() {
        if (properties.enabled()) {
            sweep();
        }
    }

    /** @return how many connections were re-enqueued; 0 also when another scheduler holds the sweep lock */
    public int sweep() {
        int total = 0;
        while (true) {
            Instant now = clock.instant();
            OverdueConnections.SweepResult result = overdue.rescheduleOverdue(now, properties.grace(),
                    properties.batchSize());
            if (!result.leader()) {
                log.debug("another scheduler is sweeping");
                return total;
            }
            List<Rescheduled> batch = result.rescheduled();
            List<PublishFailedException> failures = publisher.publishAll(batch.stream()
                    .map(r -> new RefreshPublisher.Outgoing(r.provider(),
                            new RefreshMessage(r.connectionId(), r.fence(),
                                    r.dueAt(), 0)))
                    .toList(), now);
            failures.forEach(failure -> log.warn("{}; the next sweep retries it", failure.getMessage()));
            total += batch.size();
            if (batch.size() < properties.batchSize() || !failures.isEmpty()) {
                break;
            }
        }
        if (total > 0) {
            log.warn("reconciliation sweep re-enqueued {} connection(s) whose refresh was overdue by more than {}",
                    total, properties.grace());
        }
        return total;
    }
}
