package dev.tokenrefresher.scheduler.sweep;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.stereotype.Component;

/**
 * When each provider's work queue was last seen <em>drained</em>: at least one consumer on it and no message waiting
 * (ready). Such a look proves that every message that entered the queue before it had been delivered to a worker; a
 * delivered message is claimed within moments, and its refresh, retry or pause moves the row's due time on. So a
 * connection due well before a drained look and still untouched a sweep later has lost its message.
 *
 * <p>During an outage the provider's consumers are stopped (breaker OPEN) or the queue holds a backlog, so no look
 * counts and the sweep leaves the provider's waiting connections alone; after it, the sweep resumes once the backlog is
 * consumed. Looks are passive queue declarations, as the inventory gauges take them: the ready count and the consumer
 * count, nothing per message. Each scheduler keeps its own looks in memory; one that just started (or lost its broker)
 * has none and sweeps nothing until its next look.
 */
@Component
public class WorkQueueWatch {

    private static final Logger log = LoggerFactory.getLogger(WorkQueueWatch.class);

    private final AmqpAdmin admin;
    private final Map<String, String> queues = new LinkedHashMap<>();
    private final Map<String, Instant> drainedAt = new ConcurrentHashMap<>();

    /** Public for the system tests, which run the sweep in-process on a scaled clock. */
    public WorkQueueWatch(AmqpAdmin admin, RefresherTopology topology, ProviderRegistry providers,
            MeterRegistry registry,
            Clock clock) {
        this.admin = admin;
        for (ProviderSettings provider : providers.all()) {
            queues.put(provider.name(), topology.workQueue(provider.name()));
            Gauge.builder("refresher.sweep.drained.age", drainedAt, looks -> age(looks.get(provider.name()), clock))
                    .description("Seconds since the sweep last saw the provider's work queue consumed with nothing "
                            + "waiting (NaN: not yet); it re-enqueues only connections due before that look")
                    .baseUnit("seconds")
                    .tag("provider", provider.name())
                    .register(registry);
        }
    }

    private static double age(Instant look, Clock clock) {
        return look == null ? Double.NaN : Duration.between(look, clock.instant()).toMillis() / 1000.0;
    }

    /**
     * Looks at every provider's work queue now; for each one drained now, the latest drained look taken <em>before</em>
     * this call, if any. Only an earlier look proves anything about a connection's row: a message delivered just as
     * the queue emptied may not be claimed yet, and a sweep interval later it is. And only while the queue is drained
     * now: a consumer that stopped since (its breaker opened) gave back what it held unprocessed, so the earlier look
     * no longer proves that those messages reached a worker.
     *
     * @return by provider, the earlier look to count as evidence; a provider not drained now, or never before, is
     *         absent
     */
    Map<String, Instant> lookNow(Instant now) {
        Map<String, Instant> evidence = new LinkedHashMap<>();
        queues.forEach((provider, queue) -> {
            if (drained(queue)) {
                Instant earlier = drainedAt.put(provider, now);
                if (earlier != null && earlier.isBefore(now)) {
                    evidence.put(provider, earlier);
                }
            }
        });
        return evidence;
    }

    List<String> providers() {
        return List.copyOf(queues.keySet());
    }

    private boolean drained(String queue) {
        try {
            QueueInformation info = admin.getQueueInfo(queue);
            return info != null && info.getConsumerCount() > 0 && info.getMessageCount() == 0;
        } catch (AmqpException e) {
            // no look this time: the sweep goes on with the earlier ones, which stay true
            log.warn("work queue {} not looked at: {}", queue, e.getClass().getSimpleName());
            return false;
        }
    }
}
