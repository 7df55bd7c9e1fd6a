package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Component;

/**
 * The dead letters of refreshes that end a chain or park a connection: written with the state change, in its
 * transaction ({@link PendingDeadLetters}), then published and forgotten. A publish that fails after the change
 * committed leaves the letter for the scheduler's relay instead of losing it.
 */
@Component
class FailureLetters {

    private final DeadLetterPublisher publisher;
    private final PendingDeadLetters pending;
    private final RefreshMessageCodec codec;
    private final InfrastructureRetry retry;
    private final RefreshMetrics metrics;
    private final WorkerProperties properties;

    FailureLetters(DeadLetterPublisher publisher, PendingDeadLetters pending, RefreshMessageCodec codec,
            InfrastructureRetry retry, RefreshMetrics metrics, WorkerProperties properties) {
        this.publisher = publisher;
        this.pending = pending;
        this.codec = codec;
        this.retry = retry;
        this.metrics = metrics;
        this.properties = properties;
    }

    /**
     * The letter of a refresh given up now.
     *
     * @param reason why, as operators filter letters
     * @param errorCode what the provider said
     */
    DeadLetter letter(Claim claim, RefreshMessage message, String reason, String errorCode, String detail,
            Integer httpStatus, Instant now) {
        return new DeadLetter(codec.encode(message), message.messageId(), reason, errorCode, detail, claim.provider(),
                claim.connectionId(), ProviderRefresh.attemptsWith(claim, message), httpStatus, claim.firstFailureOr(
                        now),
                now, properties.id());
    }

    /** Runs the state change and keeps the letter with it, if it changed the row. */
    boolean keepWith(DeadLetter letter, BooleanSupplier change) {
        return pending.keepWith(letter, change);
    }

    /**
     * Publishes a kept letter, waiting out a broker outage for {@code broker-retry-timeout}, forgets it, and queues the
     * {@code dead_lettered} event. When the broker stays away longer, the exception leaves the delivery unacknowledged
     * and the letter to the relay.
     */
    void send(Claim claim, DeadLetter letter, RefreshOutbox outbox) {
        retry.broker(() -> pending.publish(publisher, letter));
        metrics.deadLettered(claim.provider(), letter.reason());
        outbox.event(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, claim.connectionId(), claim.tenantId(),
                claim.provider(), letter.reason(), letter.lastFailureAt()));
    }
}
