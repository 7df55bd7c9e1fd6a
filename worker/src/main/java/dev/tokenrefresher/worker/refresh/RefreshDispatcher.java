package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
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
    private final StopSignal stop;
    private final Map<String, Places> places = new LinkedHashMap<>();
    private final Map<String, ReadySettler> settlers = new LinkedHashMap<>();
    /**
     * Deliveries that arrived once the worker was stopping or their provider paused: left for the channels' close to
     * return to the queue.
     */
    private final AtomicLong notStarted = new AtomicLong();
    private final ExecutorService refreshes = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("refresh-",
            0).factory());

    RefreshDispatcher(RefreshMessageHandler handler, RefreshPublisher publisher, ConnectionEventPublisher events,
            InfrastructureRetry retry, Clock clock, RefreshMetrics metrics, ProviderRegistry providers,
            StopSignal stop) {
        this.handler = handler;
        this.retry = retry;
        this.metrics = metrics;
        this.stop = stop;
        for (ProviderSettings provider : providers.all()) {
            places.put(provider.name(), new Places(provider.concurrency()));
            settlers.put(provider.name(), new ReadySettler(provider.name(), publisher, events, retry, clock,
                    metrics));
        }
    }

    /**
     * Starts refreshing {@code delivery}; returns at once unless the provider's refreshes in flight are at its
     * concurrency, then as soon as any of them is done. {@code settlement} is called once the delivery is handled and
     * its messages are confirmed.
     *
     * <p>Once the worker is stopping ({@link #stopTaking()}) a delivery is neither started nor settled: it stays
     * unacknowledged on its channel until the consumers close their channels, last, and the broker puts it back in the
     * queue for another worker, untouched (no claim, no lease).
     */
    public void dispatch(String provider, Message delivery, Settlement settlement) {
        Places place = places.get(provider);
        ReadySettler settler = settlers.get(provider);
        if (place == null) {
            throw new IllegalArgumentException("no provider named " + provider + " is configured");
        }
        try {
            if (!place.take()) {
                notStarted.incrementAndGet();
                return;
            }
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
                metrics.batchPhase(provider, "refresh", Duration.ofNanos(System.nanoTime() - dispatched));
                // null, also after an Error: the delivery is requeued rather than left unsettled. Queued for its
                // settler before the place is given back: a stop that saw every place free must find it there.
                settler.finished(outbox, settlement);
                place.give();
            }
        });
    }

    /** Refreshes in flight for {@code provider}: dispatched and not yet handled. */
    public int inFlight(String provider) {
        return places.get(provider).taken();
    }

    /** Refreshes in flight for every provider. */
    public int inFlight() {
        return places.values().stream().mapToInt(Places::taken).sum();
    }

    /**
     * Deliveries not started because the worker was stopping or their provider paused (they go back to the queue with
     * their channel).
     */
    public long notStarted() {
        return notStarted.get();
    }

    /**
     * The first step of a worker's stop: no delivery is started from now on (those that arrive stay unacknowledged,
     * see {@link #dispatch}), whoever waits for a place gives up, and no transient failure is retried at once.
     */
    public void stopTaking() {
        stop.raise();
        places.values().forEach(Places::close);
    }

    /**
     * Waits until every refresh started before {@link #stopTaking()} is handled (stored, handed off, or given back with
     * its lease released), at most {@code within}.
     *
     * @return whether all were in time
     */
    public boolean awaitHandled(Duration within) throws InterruptedException {
        return awaitEach(places.values(), within, Places::awaitAllFree);
    }

    /**
     * Waits until every delivery handed to a settler so far is settled (its messages published, then acknowledged or
     * requeued on its channel), at most {@code within}.
     *
     * @return whether all were in time
     */
    public boolean awaitSettled(Duration within) throws InterruptedException {
        return awaitEach(settlers.values(), within, ReadySettler::awaitSettled);
    }

    /**
     * The first step of pausing one provider whose circuit breaker opened, in the order of a worker's stop: no delivery
     * of it is started until {@link #resume}, and whoever waits for one of its places gives up. Its refreshes under way
     * go on (their calls fail fast while the breaker is open) and are handled and settled as usual.
     */
    public void pause(String provider) {
        placesOf(provider).pause();
    }

    /** Deliveries of {@code provider} are started again, unless the worker is stopping. */
    public void resume(String provider) {
        placesOf(provider).resume();
    }

    /**
     * Waits until every refresh of {@code provider} started before its {@link #pause} is handled, at most
     * {@code within}.
     */
    public boolean awaitHandled(String provider, Duration within) throws InterruptedException {
        return placesOf(provider).awaitAllFree(within);
    }

    /** Waits until every delivery of {@code provider} handed to its settler so far is settled, at most {@code within}. */
    public boolean awaitSettled(String provider, Duration within) throws InterruptedException {
        placesOf(provider); // an unknown provider is named, not a NullPointerException
        return settlers.get(provider).awaitSettled(within);
    }

    private Places placesOf(String provider) {
        Places place = places.get(provider);
        if (place == null) {
            throw new IllegalArgumentException("no provider named " + provider + " is configured");
        }
        return place;
    }

    /** A wait of at most a given time, answering whether what it waited for came. */
    @FunctionalInterface
    private interface TimedWait<T> {
        boolean await(T on, Duration within) throws InterruptedException;
    }

    /** Waits on each in turn, all of them together within {@code within}. */
    private static <T> boolean awaitEach(Collection<T> all, Duration within, TimedWait<T> wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (T one : all) {
            if (!wait.await(one, Duration.ofNanos(deadline - System.nanoTime()))) {
                return false;
            }
        }
        return true;
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
     * Waits for the refreshes in flight and settles them. After a graceful stop there are none; what is left here ran
     * past {@code refresher.worker.shutdown-grace}: its acknowledgement fails quietly on the closed channel (the broker
     * has requeued the delivery, and its fence is stale by then).
     */
    @Override
    public void close() {
        refreshes.close();
        settlers.values().forEach(ReadySettler::close);
    }
}
