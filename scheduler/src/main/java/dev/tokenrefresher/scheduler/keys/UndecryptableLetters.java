package dev.tokenrefresher.scheduler.keys;

import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The scheduler's side of parking an undecryptable connection: its dead letter and its event, sent at once. */
@Component
public class UndecryptableLetters {

    /** Who parks, in attempts and letters. */
    static final String ACTOR = "scheduler";

    private static final Logger log = LoggerFactory.getLogger(UndecryptableLetters.class);

    private final UndecryptableConnections connections;
    private final DeadLetterPublisher deadLetters;
    private final PendingDeadLetters pending;
    private final ConnectionEventPublisher events;
    private final Clock clock;

    UndecryptableLetters(UndecryptableConnections connections, DeadLetterPublisher deadLetters,
            PendingDeadLetters pending, ConnectionEventPublisher events, Clock clock) {
        this.connections = connections;
        this.deadLetters = deadLetters;
        this.pending = pending;
        this.events = events;
        this.clock = clock;
    }

    /** Parks a connection an on-demand claim found undecryptable, and sends its letter. */
    public void parkClaim(ClaimResult.Undecryptable undecryptable) {
        RefreshMessage message = new RefreshMessage(undecryptable.claim().connectionId(), undecryptable.claim()
                .fence(), clock.instant(), 0);
        connections.park(undecryptable, message, ACTOR).ifPresent(letter -> send(letter, undecryptable.claim()
                .tenantId()));
    }

    /** Sends the letter of a connection parked as undecryptable, and its event. */
    void send(DeadLetter letter, String tenantId) {
        try {
            pending.publish(deadLetters, letter);
        } catch (RuntimeException e) {
            // The connection's state is stored (parked, last_error says why) and the letter kept with it: the relay
            // sends it later.
            log.warn("dead letter for undecryptable connection {} not published ({}); the relay sends it later",
                    letter.connectionId(), e.getMessage());
        }
        events.publish(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, letter.connectionId(), tenantId, letter
                .provider(), UndecryptableConnections.REASON, letter.lastFailureAt()));
    }
}
