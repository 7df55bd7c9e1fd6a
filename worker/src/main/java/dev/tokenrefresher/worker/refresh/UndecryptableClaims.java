package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import org.springframework.stereotype.Component;

/**
 * A claim whose refresh token no configured key opens: the connection is parked with reason {@code undecryptable} and
 * dead-lettered, once, and no provider is called (issue 20, point 1). The other claims of its batch go on.
 */
@Component
class UndecryptableClaims {

    private final UndecryptableConnections connections;
    private final FailureLetters letters;
    private final RefreshMetrics metrics;
    private final WorkerProperties properties;

    UndecryptableClaims(UndecryptableConnections connections, FailureLetters letters, RefreshMetrics metrics,
            WorkerProperties properties) {
        this.connections = connections;
        this.letters = letters;
        this.metrics = metrics;
        this.properties = properties;
    }

    void park(ClaimResult.Undecryptable undecryptable, RefreshMessage message, RefreshOutbox outbox) {
        Claim claim = undecryptable.claim();
        metrics.refreshed(claim.provider(), UndecryptableConnections.REASON);
        // the row is parked with a new fence and the letter kept with it: should the broker stay away longer than the
        // retries, a redelivery finds the message stale and the scheduler's relay sends the letter
        connections.park(undecryptable, message, properties.id()).ifPresent(letter -> letters.send(claim, letter,
                outbox));
    }
}
