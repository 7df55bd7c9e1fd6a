package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import org.springframework.stereotype.Component;

/**
 * A claim whose refresh token no configured key opens: the connection is parked with reason {@code undecryptable} and
 * dead-lettered, once, and no provider is called (issue 20, point 1). The other claims of its batch go on.
 */
@Component
class UndecryptableClaims {

    private final UndecryptableConnections connections;
    private final DeadLetterPublisher deadLetters;
    private final InfrastructureRetry retry;
    private final RefreshMetrics metrics;
    private final WorkerProperties properties;

    UndecryptableClaims(UndecryptableConnections connections, DeadLetterPublisher deadLetters,
            InfrastructureRetry retry, RefreshMetrics metrics, WorkerProperties properties) {
        this.connections = connections;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.metrics = metrics;
        this.properties = properties;
    }

    void park(ClaimResult.Undecryptable undecryptable, RefreshMessage message, RefreshOutbox outbox) {
        Claim claim = undecryptable.claim();
        metrics.refreshed(claim.provider(), UndecryptableConnections.REASON);
        connections.park(undecryptable, message, properties.id()).ifPresent(letter -> {
            // the row is parked with a new fence: should the letter fail now, a redelivery would find it stale, so
            // the broker's outages are waited out here as for every other letter
            retry.broker(() -> deadLetters.publish(letter));
            metrics.deadLettered(claim.provider(), UndecryptableConnections.REASON);
            outbox.event(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, claim.connectionId(), claim
                    .tenantId(), claim.provider(), UndecryptableConnections.REASON, letter.lastFailureAt()));
        });
    }
}
