package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefreshPublisher.Outgoing;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Component;

/**
 * Handles a batch of deliveries from one provider's work queue and says, per delivery, whether it may be acknowledged.
 *
 * <p>Every delivery runs on its own virtual thread (claim, provider call, store), so a batch of 50 waits for the
 * provider about as long as one refresh does. The messages they produce (next messages of the chains, re-delays) are
 * published together after every store has committed, and their confirms awaited together: one round of publisher
 * confirms per batch instead of one per refresh, which is what a broker on a small machine pays for most. Events
 * follow, without waiting.
 *
 * <p>A delivery is requeued when its handling failed after the infrastructure retries, or when it was to come back
 * later (a re-delay) and the broker did not confirm that. A chain's next message that is not confirmed is logged and
 * the delivery acknowledged: the row holds the due time, and the reconciliation sweep re-enqueues it.
 */
@Component
public class RefreshBatchHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefreshBatchHandler.class);

    /** What the consumer does with a delivery once its batch is handled. */
    public enum Verdict {
        ACK, REQUEUE
    }

    private final RefreshMessageHandler handler;
    private final RefreshPublisher publisher;
    private final ConnectionEventPublisher events;
    private final InfrastructureRetry retry;
    private final Clock clock;
    private final RefreshMetrics metrics;
    private final ExecutorService refreshes = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("refresh-",
            0).factory());

    RefreshBatchHandler(RefreshMessageHandler handler, RefreshPublisher publisher, ConnectionEventPublisher events,
            InfrastructureRetry retry, Clock clock, RefreshMetrics metrics) {
        this.handler = handler;
        this.publisher = publisher;
        this.events = events;
        this.retry = retry;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** @return one verdict per delivery, in the deliveries' order */
    public List<Verdict> handle(String provider, List<Message> deliveries) {
        long started = System.nanoTime();
        List<Future<RefreshOutbox>> running = new ArrayList<>(deliveries.size());
        for (Message delivery : deliveries) {
            running.add(refreshes.submit(() -> handleOne(provider, delivery)));
        }
        List<RefreshOutbox> outboxes = new ArrayList<>(deliveries.size());
        for (Future<RefreshOutbox> refresh : running) {
            outboxes.add(await(refresh));
        }
        long refreshed = System.nanoTime();
        metrics.batchPhase(provider, "refresh", Duration.ofNanos(refreshed - started));
        Set<Outgoing> unconfirmed = publish(outboxes);
        metrics.batchPhase(provider, "publish", Duration.ofNanos(System.nanoTime() - refreshed));
        List<Verdict> verdicts = new ArrayList<>(deliveries.size());
        for (RefreshOutbox outbox : outboxes) {
            boolean requeue = outbox == null || outbox.redelay() != null && unconfirmed.contains(outbox.redelay());
            verdicts.add(requeue ? Verdict.REQUEUE : Verdict.ACK);
            if (outbox != null && outbox.next() != null && unconfirmed.contains(outbox.next())) {
                log.warn("next message for connection {} not confirmed; the reconciliation sweep will re-enqueue it",
                        outbox.next().message().connectionId());
            }
        }
        events.publishAll(outboxes.stream().filter(Objects::nonNull).flatMap(outbox -> outbox.events().stream())
                .toList());
        return verdicts;
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

    private static RefreshOutbox await(Future<RefreshOutbox> refresh) {
        try {
            return refresh.get();
        } catch (ExecutionException e) {
            // handleOne catches what the handling throws; an Error is all that can reach here
            throw new IllegalStateException("a refresh failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch of refreshes", e);
        }
    }

    /**
     * Publishes every outgoing message of the batch and waits for the confirms, retrying the unconfirmed ones while
     * the broker is unreachable (for {@code refresher.worker.broker-retry-timeout}).
     *
     * @return the messages that stayed unconfirmed
     */
    private Set<Outgoing> publish(List<RefreshOutbox> outboxes) {
        List<Outgoing> outgoing = outboxes.stream().filter(Objects::nonNull).flatMap(outbox -> Stream.of(outbox
                .redelay(), outbox.next())).filter(Objects::nonNull).toList();
        if (outgoing.isEmpty()) {
            return Set.of();
        }
        AtomicReference<List<Outgoing>> pending = new AtomicReference<>(outgoing);
        try {
            retry.broker(() -> {
                List<PublishFailedException> failures = publisher.publishAll(pending.get(), clock.instant());
                if (!failures.isEmpty()) {
                    pending.set(failed(pending.get(), failures));
                    throw failures.getFirst();
                }
                pending.set(List.of());
            });
        } catch (PublishFailedException e) {
            log.warn("{} of {} messages of a batch stayed unconfirmed: {}", pending.get().size(), outgoing.size(), e
                    .getMessage());
        }
        return new HashSet<>(pending.get());
    }

    private static List<Outgoing> failed(List<Outgoing> sent, List<PublishFailedException> failures) {
        Set<FailedKey> keys = new HashSet<>();
        failures.forEach(failure -> keys.add(new FailedKey(failure.connectionId(), failure.fence())));
        return sent.stream().filter(out -> keys.contains(new FailedKey(out.message().connectionId(), out.message()
                .fence()))).toList();
    }

    @Override
    public void close() {
        refreshes.close();
    }

    private record FailedKey(UUID connectionId, long fence) {
    }
}
