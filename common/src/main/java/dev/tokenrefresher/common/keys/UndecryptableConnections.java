package dev.tokenrefresher.common.keys;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.EncryptedValues;
import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a connection whose stored values cannot be decrypted out of the refresh flow, once, with a dead letter that
 * says why (issue 20, point 1). No provider call can mend it: its key is not configured (removed too early, or missing
 * on this app), or a value or its header was changed. An operator configures the key and replays the letter, or the
 * tenant reconnects.
 *
 * <p>Parking keeps the connection ACTIVE with no refresh scheduled and a new fence, as any park does: the sweep leaves
 * it alone and its queued message is dropped as stale, so it is parked once however often it is met. The letter is
 * returned, not sent: a worker sends it with its broker retries and events, the scheduler at once.
 */
public class UndecryptableConnections {

    /** The dead letter's reason and error code, the attempt's error code, the prefix of {@code last_error}. */
    public static final String REASON = "undecryptable";

    private static final Logger log = LoggerFactory.getLogger(UndecryptableConnections.class);

    private final RefreshOutcomes outcomes;
    private final KeyRewrites rewrites;
    private final PendingDeadLetters pending;
    private final RefreshMessageCodec codec;
    private final Clock clock;

    public UndecryptableConnections(RefreshOutcomes outcomes, KeyRewrites rewrites, PendingDeadLetters pending,
            RefreshMessageCodec codec, Clock clock) {
        this.outcomes = outcomes;
        this.rewrites = rewrites;
        this.pending = pending;
        this.codec = codec;
        this.clock = clock;
    }

    /**
     * Parks a connection a claim found undecryptable, giving up the claim's lease.
     *
     * @param message the message the claim answered; the letter's body, so that a replay finds what was tried
     * @param actor the worker's or scheduler's id
     * @return the dead letter to send, kept with the park ({@link PendingDeadLetters}: call
     *         {@link PendingDeadLetters#sent} once the broker confirmed it); empty if the claim was no longer ours and
     *         nothing changed
     */
    public Optional<DeadLetter> park(ClaimResult.Undecryptable undecryptable, RefreshMessage message, String actor) {
        Claim claim = undecryptable.claim();
        Instant now = clock.instant();
        int attempts = Math.max(message.attempt(), claim.consecutiveFailures()) + 1;
        DeadLetter letter = new DeadLetter(codec.encode(message), message.messageId(), REASON, REASON, undecryptable
                .detail(), claim.provider(), claim.connectionId(), attempts, null, claim.firstFailureOr(now), now,
                actor);
        if (!pending.keepWith(letter, () -> outcomes.park(claim, REASON + ": " + undecryptable.detail(), Duration.ZERO,
                now, attempt(now, actor)))) {
            return Optional.empty();
        }
        log.warn("connection={} provider={} fence={} outcome=parked reason={} detail=\"{}\"", claim.connectionId(),
                claim.provider(), claim.fence(), REASON, undecryptable.detail());
        return Optional.of(letter);
    }

    /**
     * Parks an ACTIVE connection the re-encryption job could not decrypt, if nobody holds its lease and it did not move
     * on since it was read.
     *
     * @return the dead letter to send, kept with the park as by {@link #park}; empty if the row was not ACTIVE with a
     *         refresh scheduled, or moved on
     */
    public Optional<DeadLetter> parkUnleased(EncryptedValues row, String detail, String actor) {
        Instant now = clock.instant();
        RefreshMessage message = new RefreshMessage(row.id(), row.fence(), now, 0);
        DeadLetter letter = new DeadLetter(codec.encode(message), message.messageId(), REASON, REASON, detail, row
                .provider(), row.id(), 1, null, now, now, actor);
        if (!row.active() || !pending.keepWith(letter, () -> rewrites.parkUnleased(row, REASON + ": " + detail, now,
                attempt(now, actor)))) {
            return Optional.empty();
        }
        log.warn("connection={} provider={} fence={} outcome=parked reason={} detail=\"{}\"", row.id(), row
                .provider(), row.fence(), REASON, detail);
        return Optional.of(letter);
    }

    private static AttemptRecord attempt(Instant now, String actor) {
        return new AttemptRecord(now, AttemptOutcome.REJECTED, null, REASON, Duration.ZERO, actor);
    }
}
