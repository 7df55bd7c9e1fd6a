package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterFailedException;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.scheduler.periodic.PeriodicJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes the dead letters their senders left in the outbox ({@link PendingDeadLetters}): a worker that died after
 * parking a connection, or a broker that stayed away longer than the sender's retries. Every
 * {@code refresher.dead-letters.relay-interval}, the letters older than {@code relay-grace} go to the dead-letter queue,
 * one transaction each (locked, published and confirmed, deleted), so several schedulers share them; the archive skips
 * a copy of a letter its sender did publish. The events the sender would have sent after the letter go out too: the
 * {@code dead_lettered} one, and {@code reauth_required} for a chain's end whose connection still needs a reconnect, so
 * that the host app hears of it.
 */
@Component
class PendingLetterRelay extends PeriodicJob {

    /** Letters locked per look; a run looks again while looks come back full. */
    static final int BATCH = 100;

    private static final Logger log = LoggerFactory.getLogger(PendingLetterRelay.class);

    private final PendingDeadLetters pending;
    private final DeadLetterPublisher publisher;
    private final ConnectionEventPublisher events;
    private final TransactionTemplate transactions;
    private final DeadLetterProperties properties;
    private final Counter relayed;
    private final AtomicLong waiting = new AtomicLong(-1);

    PendingLetterRelay(PendingDeadLetters pending, DeadLetterPublisher publisher, ConnectionEventPublisher events,
            TransactionTemplate transactions, DeadLetterProperties properties, MeterRegistry meters) {
        super("dead-letter-relay", true, properties.relayInterval(), properties.relayInterval());
        this.pending = pending;
        this.publisher = publisher;
        this.events = events;
        this.transactions = transactions;
        this.properties = properties;
        this.relayed = Counter.builder("refresher.dead_letters.relayed")
                .description("Dead letters the scheduler published for a sender that could not (it died, or the "
                        + "broker was away longer than its retries)")
                .register(meters);
        Gauge.builder("refresher.dead_letters.pending", waiting, value -> value.get() < 0 ? Double.NaN : value.get())
                .description("Dead letters kept with their state change and not yet confirmed by the broker, at the "
                        + "relay's last look; NaN before it")
                .register(meters);
    }

    /**
     * One run: publishes every letter older than the grace.
     *
     * @return how many it published
     * @throws DeadLetterFailedException if the broker did not confirm one (it stays for the next run)
     */
    int relay() {
        int sent = 0;
        int looked;
        do {
            List<PendingDeadLetters.Pending> due = transactions.execute(status -> pending.lockOlderThan(properties
                    .relayGrace(), BATCH));
            looked = due.size();
            for (PendingDeadLetters.Pending letter : due) {
                if (publishOne(letter)) {
                    sent++;
                    relayed.increment();
                    announce(letter);
                }
            }
        } while (looked == BATCH && !Thread.currentThread().isInterrupted());
        waiting.set(pending.count());
        if (sent > 0) {
            log.warn("relayed {} dead letter(s) their senders left (a sender died, or the broker was away longer than "
                    + "its retries)", sent);
        }
        return sent;
    }

    /** Locks the letter again (another scheduler may have sent it since the look), publishes it, deletes it. */
    private boolean publishOne(PendingDeadLetters.Pending letter) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            if (!pending.lock(letter.id())) {
                return false;
            }
            publisher.publish(letter.letter());
            pending.delete(letter.id());
            log.info("dead letter for connection {} ({}) relayed", letter.letter().connectionId(), letter.letter()
                    .reason());
            return true;
        }));
    }

    /** The events its sender would have queued after the letter; hints, as every event, so not confirmed. */
    private void announce(PendingDeadLetters.Pending relayed) {
        DeadLetter letter = relayed.letter();
        if (relayed.tenantId() == null) {
            return;
        }
        events.publish(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, letter.connectionId(), relayed
                .tenantId(), letter.provider(), letter.reason(), letter.lastFailureAt()));
        if (relayed.reauthRequired() && ChainEnds.REASONS.contains(letter.reason())) {
            events.publish(ConnectionEvent.failure(ConnectionEvent.REAUTH_REQUIRED, letter.connectionId(), relayed
                    .tenantId(), letter.provider(), letter.reason(), letter.lastFailureAt()));
        }
    }

    @Override
    protected void runOnce() {
        try {
            relay();
        } catch (DataAccessException | AmqpException | DeadLetterFailedException e) {
            // PostgreSQL or RabbitMQ away: the letters wait in the outbox for the next run
            log.warn("dead-letter relay stopped ({}: {}); next run in {}", e.getClass().getSimpleName(), e.getMessage(),
                    properties.relayInterval());
        }
    }
}
