package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder.Recorded;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.LostAnswers;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenGrant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One refresh of a claimed connection: the provider call (guarded, with fast retries) with no transaction open, then
 * one guarded statement that stores its result; the next message and the events go into the outbox, which the batch
 * publishes after the statement committed.
 */
@Component
class ProviderRefresh {

    private static final Logger log = LoggerFactory.getLogger(ProviderRefresh.class);

    private final ProviderRegistry providers;
    private final GuardedProviderCall providerCall;
    private final ConnectionStore store;
    private final ConnectionClaims claims;
    private final RefreshOutcomes outcomes;
    private final GroupedConnectionWrites writes;
    private final LateTokenRevocation lateTokens;
    private final FailureLetters letters;
    private final InfrastructureRetry retry;
    private final IssuedTokensRecorder recorder;
    private final RefreshMetrics metrics;
    private final WorkerProperties properties;
    private final Clock clock;

    ProviderRefresh(ProviderRegistry providers, GuardedProviderCall providerCall, ConnectionStore store,
            ConnectionClaims claims, RefreshOutcomes outcomes, GroupedConnectionWrites writes,
            LateTokenRevocation lateTokens,
            FailureLetters letters, InfrastructureRetry retry,
            IssuedTokensRecorder recorder, RefreshMetrics metrics, WorkerProperties properties,
            Clock clock) {
        this.providers = providers;
        this.providerCall = providerCall;
        this.store = store;
        this.claims = claims;
        this.outcomes = outcomes;
        this.writes = writes;
        this.lateTokens = lateTokens;
        this.letters = letters;
        this.retry = retry;
        this.recorder = recorder;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    void refresh(Claim claim, RefreshMessage message, RefreshOutbox outbox) {
        ProviderSettings provider = providers.get(claim.provider());
        Instant started = clock.instant();
        if (claim.hardExpiredAt(started)) {
            // The provider's absolute cap (Intuit's 5 years) passed: no refresh can extend it, only a reconnect.
            endChain(claim, message, ChainEnds.HARD_EXPIRED, "the refresh token reached its hard expiry at "
                    + claim.refreshHardExpiresAt(), null, Duration.ZERO, outbox);
            return;
        }
        if (claim.refreshExpiresAt() != null && !started.isBefore(claim.refreshExpiresAt())) {
            // Calling the provider cannot help: the tenant has to reconnect.
            endChain(claim, message, "refresh_token_expired", "the refresh token expired at "
                    + claim.refreshExpiresAt(), null, Duration.ZERO, outbox);
            return;
        }
        // an invalid_grant after an answer lost with this token (now, or in an earlier attempt) is no plain one
        AtomicBoolean answerLost = new AtomicBoolean(claim.answerLostAt() != null);
        GuardedProviderCall.Outcome outcome = providerCall.call(provider, claim.refreshToken(),
                retried -> recordRetriedFailure(claim, retried, answerLost));
        switch (outcome) {
            case GuardedProviderCall.Outcome.NotCalled notCalled -> pause(claim, message, notCalled.reason(), outbox);
            case GuardedProviderCall.Outcome.Answered answered -> {
                RefreshResult result = answered.result();
                metrics.providerLatency(provider.name(), result.duration());
                switch (result) {
                    case RefreshResult.Granted granted -> store(claim, provider, granted, started, outbox);
                    case RefreshResult.Failed failed -> {
                        switch (failed.errorClass()) {
                            case REAUTH_REQUIRED -> refused(claim, message, failed, answerLost.get(), outbox);
                            case REJECTED -> park(claim, message, failed, outbox);
                            case TRANSIENT -> retryLater(claim, message, provider, failed, outbox);
                        }
                    }
                }
            }
        }
    }

    /** The provider's guards said "not now": nothing happened, so nothing is counted; the message comes back later. */
    private void pause(Claim claim, RefreshMessage message, String reason, RefreshOutbox outbox) {
        Instant dueAgain = clock.instant().plus(properties.pausedDelay());
        // the row's due time follows the re-delayed message: the sweep must not take a paused chain for a lost one
        claims.pause(claim, dueAgain);
        outbox.redelay(claim.provider(), new RefreshMessage(message.connectionId(), message.fence(), dueAgain,
                message.attempt()));
        metrics.dropped(claim.provider(), reason);
        log.debug("connection {} not refreshed now ({}); message re-delayed by {}", claim.connectionId(), reason,
                properties.pausedDelay());
    }

    private void store(Claim claim, ProviderSettings provider, RefreshResult.Granted granted, Instant started,
            RefreshOutbox outbox) {
        long answeredAt = System.nanoTime();
        TokenGrant grant = granted.grant();
        Instant now = clock.instant();
        RefreshedTokens tokens = RefreshedTokens.of(grant, started, claim.refreshExpiresAt());
        // Without a usable access token the stored one stays: refresh again soon, with the refresh token just stored.
        Instant next = tokens.hasAccessToken()
                ? provider.refreshDueAt(started, grant.accessTokenLifetime())
                : now.plus(properties.retryInitialDelay());
        AttemptRecord attempt = attempt(now, AttemptOutcome.REFRESHED, granted.httpStatus(), grant.oddityCode(),
                granted.duration());
        if (!grant.oddities().isEmpty()) {
            log.warn("connection={} provider={} answered oddly ({}): stored with safe defaults", claim.connectionId(),
                    provider.name(), grant.oddities());
        }
        // The new refresh token exists nowhere else: stored, or handed to RabbitMQ while the database is unreachable.
        Recorded recorded = recorder.record(new RefreshToStore(claim, tokens, next, now, attempt),
                writes::storeRefreshed, properties.storeRetryTimeout(), answeredAt);
        if (recorded instanceof Recorded.HandedOff) {
            // a drain stores them once PostgreSQL is back, and sends the next message and the events then
            metrics.refreshed(provider.name(), "handed_off");
            return;
        }
        Optional<Stored> stored = ((Recorded.InDatabase) recorded).stored();
        if (stored.isEmpty()) {
            // The guard failed: a newer refresh token was stored meanwhile, or the host app disconnected the tenant.
            Optional<ConnectionStore.Disconnection> disconnection = store.disconnection(claim.connectionId());
            AttemptOutcome outcome = disconnection.isPresent()
                    ? AttemptOutcome.DISCONNECTED
                    : AttemptOutcome.SUPERSEDED;
            if (disconnection.isPresent() && disconnection.get().revokeRequested() && grant.refreshToken() != null) {
                lateTokens.revoke(claim, provider, grant.refreshToken());
            }
            store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, outcome, granted.httpStatus(), null,
                    granted.duration()));
            metrics.refreshed(provider.name(), outcome.name().toLowerCase(Locale.ROOT));
            log.info("refresh of connection {} {}", claim.connectionId(), outcome == AttemptOutcome.DISCONNECTED
                    ? "landed after a disconnect: the new tokens were discarded"
                    : "superseded: a newer refresh token was stored meanwhile");
            return;
        }
        metrics.refreshed(provider.name(), "refreshed");
        log.info("refreshed connection={} provider={} fence={} outcome=refreshed rotated={} next={} took={}ms",
                claim.connectionId(), provider.name(), claim.fence(), grant.refreshToken() != null, next,
                granted.duration().toMillis());
        if (stored.get().revived()) {
            // another actor's invalid_grant for the token we had spent ended the chain; our store revives it
            log.warn("connection={} provider={} revived: it was marked reauth_required on the refresh token this "
                    + "refresh consumed, and the new tokens are stored", claim.connectionId(), provider.name());
        }
        outbox.next(provider.name(), new RefreshMessage(claim.connectionId(), stored.get().fence(), next, 0));
        outbox.events(ConnectionEventPublisher.refreshedEvents(claim, tokens.accessExpiresAt(), now, stored.get()
                .revived()));
    }

    /**
     * The provider refused the refresh token. After an answer lost with this token, the refusal says the provider had
     * rotated it: the chain ends all the same (no client can mend it), as {@link LostAnswers#REASON}.
     */
    private void refused(Claim claim, RefreshMessage message, RefreshResult.Failed failed, boolean answerLost,
            RefreshOutbox outbox) {
        String reason = LostAnswers.chainEndReason(failed, answerLost);
        String detail = reason.equals(failed.errorCode()) ? failed.detail() : LostAnswers.detail(failed);
        endChain(claim, message, reason, failed.errorCode(), detail, failed.httpStatus(), failed.duration(), outbox);
    }

    private void endChain(Claim claim, RefreshMessage message, String errorCode, String detail, Integer httpStatus,
            Duration duration, RefreshOutbox outbox) {
        endChain(claim, message, errorCode, errorCode, detail, httpStatus, duration, outbox);
    }

    /**
     * @param reason why the chain ends: the attempt's error code, the dead letter's and event's reason, the metric's
     *            outcome where it is not a plain refusal
     * @param errorCode what the provider said (the dead letter's error code)
     */
    private void endChain(Claim claim, RefreshMessage message, String reason, String errorCode, String detail,
            Integer httpStatus, Duration duration, RefreshOutbox outbox) {
        Instant now = clock.instant();
        DeadLetter letter = letters.letter(claim, message, reason, errorCode, detail, httpStatus, now);
        boolean ended = letters.keepWith(letter, () -> outcomes.markReauthRequired(claim, reason, now, attempt(now,
                AttemptOutcome.REAUTH_REQUIRED, httpStatus, reason, duration)));
        if (!ended) {
            // Re-read in the guard: another actor stored a newer refresh token meanwhile, so ours was simply old.
            metrics.refreshed(claim.provider(), "superseded");
            log.info("connection {}: {} for an old refresh token; a newer one is stored, nothing to do",
                    claim.connectionId(), errorCode);
            return;
        }
        boolean lost = LostAnswers.REASON.equals(reason);
        metrics.refreshed(claim.provider(), lost ? LostAnswers.REASON : "reauth_required");
        log.warn("connection={} provider={} fence={} outcome=reauth_required reason={}", claim.connectionId(),
                claim.provider(), claim.fence(), reason);
        letters.send(claim, letter, outbox);
        outbox.event(ConnectionEvent.failure(ConnectionEvent.REAUTH_REQUIRED, claim.connectionId(), claim
                .tenantId(), claim.provider(), reason, now));
    }

    private void park(Claim claim, RefreshMessage message, RefreshResult.Failed failed, RefreshOutbox outbox) {
        Instant now = clock.instant();
        AttemptRecord attempt = attempt(now, AttemptOutcome.REJECTED, failed.httpStatus(), failed.errorCode(),
                failed.duration());
        DeadLetter letter = letters.letter(claim, message, failed.errorCode(), failed.errorCode(), failed.detail(),
                failed.httpStatus(), now);
        boolean parked = letters.keepWith(letter, () -> outcomes.park(claim, failed.errorCode() + ": " + failed
                .detail(), Duration.ZERO, now, attempt));
        metrics.refreshed(claim.provider(), "rejected");
        log.warn("connection={} provider={} fence={} outcome=rejected reason={} status={}", claim.connectionId(),
                claim.provider(), claim.fence(), failed.errorCode(), failed.httpStatus());
        if (parked) {
            letters.send(claim, letter, outbox);
        }
    }

    private void retryLater(Claim claim, RefreshMessage message, ProviderSettings provider,
            RefreshResult.Failed failed, RefreshOutbox outbox) {
        Instant now = clock.instant();
        int attempts = attemptsWith(claim, message);
        String error = failed.errorCode() + ": " + failed.detail();
        metrics.refreshed(provider.name(), "transient_failure");
        AttemptRecord attempt = attempt(now, AttemptOutcome.TRANSIENT_FAILURE, failed.httpStatus(), failed
                .errorCode(), failed.duration());
        if (failed.answerMayBeLost()) {
            outcomes.markAnswerLost(claim, now);
        }
        // the provider may still be serving the call: nobody calls again before its quiet period has passed
        Duration quietPeriod = failed.mayStillRun() ? provider.timeoutQuietPeriod() : Duration.ZERO;
        if (attempts >= properties.maxAttempts()) {
            DeadLetter letter = letters.letter(claim, message, "retries_exhausted", failed.errorCode(), failed
                    .detail(), failed.httpStatus(), now);
            boolean parked = letters.keepWith(letter, () -> outcomes.park(claim, error, quietPeriod, now, attempt));
            log.warn("connection={} provider={} fence={} outcome=retries_exhausted attempts={} reason={}",
                    claim.connectionId(), provider.name(), claim.fence(), attempts, failed.errorCode());
            if (parked) {
                letters.send(claim, letter, outbox);
            }
            return;
        }
        // However long the provider asks us to wait, the retry must come while the refresh token still works; but
        // never within a quiet period, which the claim would refuse anyway.
        Duration backOff = RefreshTiming.beforeRefreshExpiry(RefreshTiming.retryDelay(attempts, properties
                .retryInitialDelay(), properties.retryMaxDelay(), failed.retryAfter()), now, claim.refreshExpiresAt());
        Duration delay = RefreshTiming.afterQuietPeriod(backOff, quietPeriod);
        Instant retryAt = now.plus(delay);
        OptionalLong fence = outcomes.rescheduleAfterFailure(claim, error, retryAt, quietPeriod, now, attempt);
        log.warn("connection={} provider={} fence={} outcome=transient_failure reason={} status={} attempt={} "
                + "retryIn={}s", claim.connectionId(), provider.name(), claim.fence(), failed.errorCode(),
                failed.httpStatus(), attempts, delay.toSeconds());
        if (fence.isPresent()) {
            outbox.next(provider.name(), new RefreshMessage(claim.connectionId(), fence.getAsLong(), retryAt,
                    attempts));
            metrics.retried(provider.name(), failed.mayStillRun()
                    ? RefreshMetrics.RETRY_AFTER_TIMEOUT
                    : RefreshMetrics.RETRY_TRANSIENT);
        }
    }

    /**
     * The delayed attempts of the current run of failures, this one included. The row's count decides (issue 20, point
     * 4): a message's own count starts again at 0 when the sweep re-enqueues a chain, a replay re-arms it, or a retry's
     * publish was lost, and a cap counted from it alone was never reached. The message's count still counts where it is
     * higher (a message of an earlier build).
     */
    static int attemptsWith(Claim claim, RefreshMessage message) {
        return Math.max(message.attempt(), claim.consecutiveFailures()) + 1;
    }

    private void recordRetriedFailure(Claim claim, RefreshResult.Failed failed, AtomicBoolean answerLost) {
        Instant now = clock.instant();
        if (failed.answerMayBeLost()) {
            // before the retry: should this process die now, the next attempt still knows
            outcomes.markAnswerLost(claim, now);
            answerLost.set(true);
        }
        store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, AttemptOutcome.TRANSIENT_FAILURE,
                failed.httpStatus(), failed.errorCode(), failed.duration()));
        metrics.refreshed(claim.provider(), "transient_failure");
        log.info("connection={} provider={} fence={} outcome=transient_failure reason={} status={} retrying at once",
                claim.connectionId(), claim.provider(), claim.fence(), failed.errorCode(), failed.httpStatus());
    }

    private AttemptRecord attempt(Instant at, AttemptOutcome outcome, Integer httpStatus, String errorCode,
            Duration duration) {
        return new AttemptRecord(at, outcome, httpStatus, errorCode, duration, properties.id());
    }
}
