package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Component;

/**
 * Refreshes each delivery of a provider's work queue on its own virtual thread as soon as it arrives (claim, provider
 * call, store), and hands it to the provider's {@link ReadySettler} the moment it is done, which publishes its
 * messages and acknowledges it together with whatever else finished meanwhile.
 *
 * <p>No delivery waits for another's provider call (issue 19). Deliveries used to be refreshed, published and
 * acknowledged a batch at a time: a batch waited for its slowest call (up to the request timeout, and its fast
 * retries), and the consumer's prefetched messages waited behind the batch. Against a provider where a tenth of the
 * calls hang, that made almost every other tenant late.
 *
 * <p>The provider's {@code concurrency} bounds the refreshes in flight: a delivery that arrives when all are taken
 * waits for any one of them to finish, never for a particular one. So a hanging call holds one place for at most its
 * request timeout (a timed-out call is not retried at once, see {@link GuardedProviderCall}), and the prefetched
 * messages move on through the other places.
 */
@Component
public class RefreshDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefreshDispatcher.class);

    /** What becomes of a delivery once it is handled. */
    public enum Verdict {
        ACK, REQUEUE
    }

    /** Acknowledges or requeues one delivery; called once per delivery, from its provider's settler thread. */
    @FunctionalInterface
    public interface Settlement {
        void settle(Verdict verdict);
    }

    private final RefreshMessageHandler handler;
    private final InfrastructureRetry retry;
    private final RefreshMetrics metrics;
    private final Map<String, Semaphore> places = new LinkedHashMap<>();
    private final Map<String, Integer> concurrency = new LinkedHashMap<>();
    private final Map<String, ReadySettler> settlers = new LinkedHashMap<>();
    private final ExecutorService refreshes = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("refresh-",
            0).factory());

    RefreshDispatcher(RefreshMessageHandler handler, RefreshPublisher publisher, ConnectionEventPublisher events,
            InfrastructureRetry retry, Clock clock, RefreshMetrics metrics, ProviderRegistry providers) {
        this.handler = handler;
        this.retry = retry;
        this.metrics = metrics;
        for (ProviderSettings provider : providers.all()) {
            places.put(provider.name(), new Semaphore(provider.concurrency()));
            concurrency.put(provider.name(), provider.concurrency());
            settlers.put(provider.name(), new ReadySettler(provider.name(), publisher, events, retry, clock,
                    metrics));
        }
    }

    /**
     * Starts refreshing {@code delivery}; returns at once unless the provider's refreshes in flight are at its
     * concurrency, then as soon as any of them is done. {@code settlement} is called once the delivery is handled and
     * its messages are confirmed.
     */
    public void dispatch(String provider, Message delivery, Settlement settlement) {
        Semaphore place = places.get(provider);
        ReadySettler settler = settlers.get(provider);
        if (place == null) {
            throw new IllegalArgumentException("no provider named " + provider + " is configured");
        }
        try {
            place.acquire();
        } catch (InterruptedException e) {
            // the consumer is stopping: the message goes back to the queue untouched
            Thread.currentThread().interrupt();
            settlement.settle(Verdict.REQUEUE);
            return;
        }
        long dispatched = System.nanoTime();
        refreshes.execute(() -> {
            RefreshOutbox outbox = null;
            try {
                outbox = handleOne(provider, delivery);
            } finally {
                place.release();
                metrics.batchPhase(provider, "refresh", Duration.ofNanos(System.nanoTime() - dispatched));
                // null, also after an Error: the delivery is requeued rather than left unsettled
                settler.finished(outbox, settlement);
            }
        });
    }

    /** Refreshes in flight for {@code provider}: dispatched and not yet handled. */
    int inFlight(String provider) {
        return concurrency.get(provider) - places.get(provider).availablePermits();
    }

    /** @return the delivery's outbox, or null when it must be requeued */
    private RefreshOutbox handleOne(String provider, Message delivery) {
        try {
            // a fresh outbox per attempt: an attempt that failed half-way leaves nothing behind
            return retry.delivery(() -> {
                RefreshOutbox outbox = new RefreshOutbox();
                handler.handle(provider, delivery, outbox);
                return outbox;
            });
        } catch (RuntimeException e) {
            log.warn("message {} from the {} work queue is requeued: its handling failed", delivery
                    .getMessageProperties().getMessageId(), provider, e);
            return null;
        }
    }

    /**
     * Waits for the refreshes in flight and settles them (their acknowledgements fail quietly where the consumers'
     * channels are closed already: the broker has requeued those deliveries, and their fences are stale by then).
     */
    @Override
    public void close() {
        refreshes.close();
        settlers.values().forEach(ReadySettler::close);
    }
}
