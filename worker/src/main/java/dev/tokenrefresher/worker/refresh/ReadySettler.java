package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefreshPublisher.Outgoing;
import dev.tokenrefresher.worker.refresh.RefreshDispatcher.Settlement;
import dev.tokenrefresher.worker.refresh.RefreshDispatcher.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one provider's handled deliveries as they become ready: one thread takes every delivery that finished since
 * its last round, publishes their messages on one channel and awaits the confirms together, acknowledges (or
 * requeues) each, then sends their events without waiting. A quiet worker settles each delivery alone at once; a busy
 * one settles tens per round, which keeps the one round of confirms per many refreshes that made batching cheap
 * (docs/benchmark-optimisations.md) without ever waiting for a refresh that is not done.
 *
 * <p>A delivery is requeued when its handling failed after the infrastructure retries, or when it was to come back
 * later (a re-delay) and the broker did not confirm that. A chain's next message that is not confirmed is logged and
 * the delivery acknowledged: the row holds the due time, and the reconciliation sweep re-enqueues it.
 */
final class ReadySettler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReadySettler.class);
    /** The most deliveries settled in one round: bounds a round's publish and the wait of the last in it. */
    static final int MAX_ROUND = 500;

    /** @param outbox null when the delivery must be requeued */
    private record Finished(RefreshOutbox outbox, Settlement settlement) {
    }

    private final String provider;
    private final RefreshPublisher publisher;
    private final ConnectionEventPublisher events;
    private final InfrastructureRetry retry;
    private final Clock clock;
    private final RefreshMetrics metrics;
    private final BlockingQueue<Finished> ready = new LinkedBlockingQueue<>();
    /** Queued by {@link #close()}: the thread stops when it reaches it. */
    private final Finished stop = new Finished(null, verdict -> {
    });
    private final Thread thread;

    ReadySettler(String provider, RefreshPublisher publisher, ConnectionEventPublisher events,
            InfrastructureRetry retry, Clock clock, RefreshMetrics metrics) {
        this.provider = provider;
        this.publisher = publisher;
        this.events = events;
        this.retry = retry;
        this.clock = clock;
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("settle-" + provider).daemon().start(this::run);
    }

    /** A handled delivery, to be settled in the next round. */
    void finished(RefreshOutbox outbox, Settlement settlement) {
        ready.add(new Finished(outbox, settlement));
    }

    private void run() {
        List<Finished> round = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                round.add(ready.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ready.drainTo(round, MAX_ROUND - 1);
            stopping = round.remove(stop);
            if (!round.isEmpty()) {
                settleQuietly(round);
            }
            round.clear();
        }
    }

    private void settleQuietly(List<Finished> round) {
        try {
            settle(round);
        } catch (RuntimeException e) {
            // the thread must go on settling later rounds; these deliveries stay unacknowledged until their channel
            // closes and the broker requeues them
            log.error("settling {} deliveries of provider {} failed", round.size(), provider, e);
        }
    }

    private void settle(List<Finished> round) {
        long started = System.nanoTime();
        List<RefreshOutbox> outboxes = round.stream().map(Finished::outbox).toList();
        Set<Outgoing> unconfirmed = publish(outboxes);
        for (Finished finished : round) {
            RefreshOutbox outbox = finished.outbox();
            boolean requeue = outbox == null || outbox.redelay() != null && unconfirmed.contains(outbox.redelay());
            if (outbox != null && outbox.next() != null && unconfirmed.contains(outbox.next())) {
                log.warn("next message for connection {} not confirmed; the reconciliation sweep will re-enqueue it",
                        outbox.next().message().connectionId());
            }
            settleOne(finished.settlement(), requeue ? Verdict.REQUEUE : Verdict.ACK);
        }
        metrics.batchPhase(provider, "publish", Duration.ofNanos(System.nanoTime() - started));
        events.publishAll(outboxes.stream().filter(Objects::nonNull).flatMap(outbox -> outbox.events().stream())
                .toList());
    }

    private void settleOne(Settlement settlement, Verdict verdict) {
        try {
            settlement.settle(verdict);
        } catch (RuntimeException e) {
            // one delivery's channel trouble must not leave the rest of the round unsettled
            log.warn("a delivery of provider {} could not be settled ({}); the broker redelivers it", provider, e
                    .toString());
        }
    }

    /**
     * Publishes every outgoing message of the round and waits for the confirms, retrying the unconfirmed ones while
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
            log.warn("{} of {} messages of a round stayed unconfirmed: {}", pending.get().size(), outgoing.size(), e
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

    /**
     * Waits until every delivery queued so far is settled, at most {@code within}: a marker goes to the back of the
     * queue, and rounds are settled in order, so once the marker's round is done so is everything queued before it.
     *
     * @return whether they were in time
     */
    boolean awaitSettled(Duration within) throws InterruptedException {
        CountDownLatch settled = new CountDownLatch(1);
        ready.add(new Finished(new RefreshOutbox(), verdict -> settled.countDown()));
        return settled.await(Math.max(0, within.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Settles what is queued so far, then stops the thread. */
    @Override
    public void close() {
        ready.add(stop);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record FailedKey(UUID connectionId, long fence) {
    }
}
