package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.database.DatabaseOutage;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.TransactionStatus;

/**
 * Hand-offs whose row the database refused on its own (not an outage: a value or a row it cannot take). The drain
 * rejects the message into the parked queue, where its encrypted tokens stay, durable; here, in the drain's
 * transaction, the connection is parked and held ({@link RefreshOutcomes#holdForParkedTokens}) so that nobody calls
 * the provider with the refresh token those tokens replaced; after the commit, a dead letter {@value #REASON} tells the
 * operator, who moves the hand-off back to the hand-off queue once the cause is fixed.
 */
final class RefusedHandoffs {

    /** The dead letter's reason, and the start of the connection's {@code last_error}. */
    static final String REASON = "store_refused";

    private static final Logger log = LoggerFactory.getLogger(RefusedHandoffs.class);

    private final RefreshOutcomes outcomes;
    private final DeadLetterPublisher deadLetters;
    private final PendingDeadLetters pending;
    private final RefreshMessageCodec codec;
    private final ConnectionEventPublisher events;
    private final RefresherTopology topology;
    private final MeterRegistry meters;
    private final Clock clock;

    RefusedHandoffs(RefreshOutcomes outcomes, DeadLetterPublisher deadLetters, PendingDeadLetters pending,
            RefreshMessageCodec codec, ConnectionEventPublisher events, RefresherTopology topology,
            MeterRegistry meters,
            Clock clock) {
        this.outcomes = outcomes;
        this.deadLetters = deadLetters;
        this.pending = pending;
        this.codec = codec;
        this.events = events;
        this.topology = topology;
        this.meters = meters;
        this.clock = clock;
    }

    /** A connection parked with its hand-off, whose dead letter (kept with the park) goes out after the commit. */
    record Parked(RefreshToStore refresh, DeadLetter letter) {
    }

    /**
     * Parks the connection of a refused hand-off, under a savepoint of its own: if that fails too, the hand-off is
     * parked all the same and the drain goes on.
     *
     * @param refusal what the store of this hand-off alone threw
     * @return the parked connection; empty when it was not parked (a newer token is stored, it was disconnected, or
     *         the park failed)
     * @throws RuntimeException an outage of the database, for the drain to give up this run
     */
    Optional<Parked> park(RefreshToStore refresh, RuntimeException refusal, TransactionStatus status) {
        Claim claim = refresh.claim();
        String code = StoreFailures.code(refusal);
        Instant now = clock.instant();
        log.error("connection={} provider={} fence={} outcome=store_refused: the database refused the handed-off "
                + "tokens ({}); the hand-off is parked in {}", claim.connectionId(), claim.provider(), claim.fence(),
                StoreFailures.describe(refusal), topology.parkedQueue());
        Object savepoint = status.createSavepoint();
        try {
            OptionalLong fence = outcomes.holdForParkedTokens(claim, REASON + ": " + code, now);
            if (fence.isEmpty()) {
                status.releaseSavepoint(savepoint);
                log.warn("connection={} not parked: a newer refresh token is stored, or it was disconnected",
                        claim.connectionId());
                return Optional.empty();
            }
            DeadLetter letter = letter(claim, refresh, fence.getAsLong(), code, now);
            pending.keep(letter);
            status.releaseSavepoint(savepoint);
            return Optional.of(new Parked(refresh, letter));
        } catch (RuntimeException e) {
            if (DatabaseOutage.isOutage(e)) {
                throw e;
            }
            status.rollbackToSavepoint(savepoint);
            log.error("connection={} provider={} could not be parked ({}): its chain may call the provider with the "
                    + "refresh token the parked hand-off replaced", claim.connectionId(), claim.provider(),
                    StoreFailures.describe(e));
            return Optional.empty();
        }
    }

    private DeadLetter letter(Claim claim, RefreshToStore refresh, long fence, String code, Instant at) {
        RefreshMessage message = new RefreshMessage(claim.connectionId(), fence, at, 0);
        return new DeadLetter(codec.encode(message), message.messageId(), REASON, code,
                "the database refused to store the tokens the provider issued; they are parked in "
                        + topology.parkedQueue() + ": move them back to " + topology.handoffQueue()
                        + " once the cause is fixed",
                claim.provider(), claim.connectionId(), 1, refresh.attempt().httpStatus(),
                claim.firstFailureOr(at), at, refresh.attempt().worker());
    }

    /** The dead letters and events of the connections parked in a committed drain. */
    void afterCommit(List<Parked> parked) {
        for (Parked one : parked) {
            Claim claim = one.refresh().claim();
            try {
                pending.publish(deadLetters, one.letter());
                meters.counter("refresher.dead_letters", "provider", claim.provider(), "reason", REASON).increment();
            } catch (RuntimeException e) {
                // the connection is parked, its hand-off and its letter kept: the relay sends the letter later
                log.error("dead letter {} for connection {} not published ({}); the relay sends it later", REASON,
                        claim.connectionId(), e.getMessage());
            }
            try {
                events.publish(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, claim.connectionId(), claim
                        .tenantId(), claim.provider(), REASON, one.letter().lastFailureAt()));
            } catch (RuntimeException e) {
                log.warn("dead_lettered event for connection {} not published: {}", claim.connectionId(), e
                        .getMessage());
            }
        }
    }
}
