package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder.Recorded;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.LostAnswers;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.RetryAfterBackOffPolicy;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.common.provider.TokenGrant;
import dev.tokenrefresher.scheduler.connection.ConnectionNotActiveException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * An on-demand refresh once the claim is ours: the provider call (with fast retries of transient failures), each
 * through the provider's circuit breaker, then the store, the next message and the event, or the failure's effect on
 * the chain, as a worker would do it.
 */
@Component
class ClaimedRefresh {

    private static final Logger log = LoggerFactory.getLogger(ClaimedRefresh.class);
    /** When a refresh whose answer had no usable access token is tried again. */
    static final Duration ODD_ANSWER_RETRY = Duration.ofSeconds(30);
    /** How long the caller's request keeps trying to store issued tokens before it hands them off. */
    static final Duration STORE_RETRY = Duration.ofSeconds(2);
    /** When a caller whose refresh was handed off should ask again: a drain runs every second once the database is back. */
    static final Duration HANDED_OFF_RETRY = Duration.ofSeconds(5);

    private final ProviderRegistry providers;
    private final TokenEndpointClient tokenEndpoint;
    private final ProviderCircuits circuits;
    private final ConnectionStore store;
    private final ConnectionClaims claims;
    private final RefreshOutcomes outcomes;
    private final LateTokenRevocation lateTokens;
    private final IssuedTokensRecorder recorder;
    private final RefreshPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final PendingDeadLetters pending;
    private final ConnectionEventPublisher events;
    private final RefreshMessageCodec codec;
    private final AccessTokenProperties properties;
    private final RetryTemplate retries;
    private final Clock clock;

    ClaimedRefresh(ProviderRegistry providers, TokenEndpointClient tokenEndpoint, ProviderCircuits circuits,
            ConnectionStore store,
            ConnectionClaims claims, RefreshOutcomes outcomes, LateTokenRevocation lateTokens,
            IssuedTokensRecorder recorder, RefreshPublisher publisher,
            DeadLetterPublisher deadLetters, PendingDeadLetters pending, ConnectionEventPublisher events,
            RefreshMessageCodec codec,
            AccessTokenProperties properties, Clock clock) {
        this.providers = providers;
        this.tokenEndpoint = tokenEndpoint;
        this.circuits = circuits;
        this.store = store;
        this.claims = claims;
        this.outcomes = outcomes;
        this.lateTokens = lateTokens;
        this.recorder = recorder;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.pending = pending;
        this.events = events;
        this.codec = codec;
        this.properties = properties;
        this.clock = clock;
        this.retries = RetryTemplate.builder()
                .maxAttempts(properties.attempts())
                .customBackoff(new RetryAfterBackOffPolicy(properties.retryBackoff(), properties.retryMaxBackoff()))
                .retryOn(RetryableFailure.class)
                .build();
    }

    /**
     * Refreshes with the claim and applies the result.
     *
     * @param deadline when the caller stops waiting; no retry starts that could not end before it
     * @param leaseEnds when the claim's lease ends at the earliest, by this app's clock (read before the claim, plus
     *            the lease's length by the database's clock); no retry starts that could not end before it
     * @return the new token's lifetime; {@code null} if another actor stored a newer refresh token meanwhile
     * @throws ConnectionNotActiveException the refresh token is dead (or expired): the tenant must reconnect
     * @throws AccessTokenUnavailableException the provider failed or refused the app's credentials
     * @throws ProviderCircuitOpenException the provider's circuit breaker let no call through (it opened since the
     *             check before the claim, or between two fast retries): the claim is given back as it was
     */
    Duration refresh(Claim claim, Instant deadline, Instant leaseEnds) {
        ProviderSettings provider = providers.get(claim.provider());
        Instant started = clock.instant();
        if (claim.hardExpiredAt(started)) {
            endChain(claim, ChainEnds.HARD_EXPIRED, ChainEnds.HARD_EXPIRED, "the refresh token reached its hard "
                    + "expiry", null, Duration.ZERO);
            throw new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.REAUTH_REQUIRED);
        }
        if (claim.refreshExpiresAt() != null && !started.isBefore(claim.refreshExpiresAt())) {
            endChain(claim, "refresh_token_expired", "refresh_token_expired", "the refresh token expired", null,
                    Duration.ZERO);
            throw new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.REAUTH_REQUIRED);
        }
        // an invalid_grant after an answer lost with this token (now, or in an earlier attempt) is no plain one
        AtomicBoolean answerLost = new AtomicBoolean(claim.answerLostAt() != null);
        RefreshResult result;
        try {
            result = retries.execute(context -> callOnce(claim, provider, deadline, leaseEnds, context, answerLost));
        } catch (ProviderCircuitOpenException refused) {
            // No call was made with this permit. A fast retry refused after a failure needs no quiet period: a call
            // the provider may still be serving is never retried at once. The retried failures are recorded already.
            claims.releaseLease(claim);
            log.info("connection={} provider={} fence={} outcome=circuit_open on_demand=true state={}", claim
                    .connectionId(), provider.name(), claim.fence(), refused.circuitBreakerState());
            throw refused;
        }
        return switch (result) {
            case RefreshResult.Granted granted -> store(claim, provider, granted, started);
            case RefreshResult.Failed failed -> throw failure(claim, provider, failed, answerLost.get());
        };
    }

    private RefreshResult callOnce(Claim claim, ProviderSettings provider, Instant deadline, Instant leaseEnds,
            RetryContext context, AtomicBoolean answerLost) {
        circuits.acquire(claim.connectionId(), provider.name());
        RefreshResult result;
        try {
            result = tokenEndpoint.refresh(provider, claim.refreshToken());
        } catch (RuntimeException bug) {
            circuits.release(provider.name());
            throw bug;
        }
        circuits.record(provider.name(), result);
        if (result instanceof RefreshResult.Failed failed && failed.answerMayBeLost()) {
            // before any retry, and for whoever tries this token next
            outcomes.markAnswerLost(claim, clock.instant());
            answerLost.set(true);
        }
        if (result instanceof RefreshResult.Failed failed
                && worthRetrying(failed, provider, deadline, leaseEnds, context)) {
            Instant now = clock.instant();
            store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, AttemptOutcome.TRANSIENT_FAILURE,
                    failed.httpStatus(), failed.errorCode(), failed.duration()));
            log.info("connection={} provider={} fence={} outcome=transient_failure on_demand=true reason={} status={} "
                    + "retrying", claim.connectionId(), provider.name(), claim.fence(), failed.errorCode(),
                    failed
                            .httpStatus());
            RetryAfterBackOffPolicy.askFor(context, failed.retryAfter());
            throw new RetryableFailure();
        }
        return result;
    }

    /**
     * A transient failure is retried when another attempt is left, the provider did not ask for a longer pause than
     * a fast retry takes, the provider cannot still be serving the request (a timeout, a 504: DESIGN decision 12; the
     * next call waits its quiet period), and the retry can end, request timeout included, before the lease and the
     * caller's deadline.
     */
    private boolean worthRetrying(RefreshResult.Failed failed, ProviderSettings provider, Instant deadline,
            Instant leaseEnds, RetryContext context) {
        if (failed.errorClass() != ErrorClass.TRANSIENT || failed.mayStillRun()
                || context.getRetryCount() + 1 >= properties.attempts()) {
            return false;
        }
        Duration pause = failed.retryAfter() != null ? failed.retryAfter() : properties.retryMaxBackoff();
        if (pause.compareTo(properties.retryMaxBackoff()) > 0) {
            return false;
        }
        // the retry's whole worst case, as start-up checked the first call's: the request and the statements after it
        Instant retryEnds = clock.instant().plus(pause).plus(properties.worstCase(provider.requestTimeout()));
        return retryEnds.isBefore(leaseEnds) && retryEnds.isBefore(deadline);
    }

    private Duration store(Claim claim, ProviderSettings provider, RefreshResult.Granted granted, Instant started) {
        long answeredAt = System.nanoTime();
        Instant now = clock.instant();
        TokenGrant grant = granted.grant();
        RefreshedTokens tokens = RefreshedTokens.of(grant, started, claim.refreshExpiresAt());
        // Without a usable access token the stored one stays: the workers refresh again soon.
        Instant next = tokens.hasAccessToken()
                ? provider.refreshDueAt(started, grant.accessTokenLifetime())
                : now.plus(ODD_ANSWER_RETRY);
        // The new refresh token exists nowhere else: stored, or handed to RabbitMQ while the database is unreachable.
        Recorded recorded = recorder.record(new RefreshToStore(claim, tokens, next, now, attempt(now,
                AttemptOutcome.REFRESHED, granted.httpStatus(), grant.oddityCode(), granted.duration())),
                refresh -> outcomes.storeRefreshed(refresh.claim(), refresh.tokens(), refresh.nextRefreshAt(), refresh
                        .now(), refresh.attempt()),
                STORE_RETRY, answeredAt);
        if (recorded instanceof Recorded.HandedOff handedOff) {
            throw new AccessTokenUnavailableException(claim.connectionId(), provider.name(), "handed_off", false,
                    HANDED_OFF_RETRY, handedOff.storeRefused()
                            ? "the database refused to store the tokens the provider issued; they are kept on the "
                                    + "hand-off queue, parked for an operator if the database refuses them again"
                            : "the provider issued new tokens while the database is unreachable; they are kept on "
                                    + "the hand-off queue and stored once it is back; try again");
        }
        Optional<Stored> stored = ((Recorded.InDatabase) recorded).stored();
        if (!grant.oddities().isEmpty()) {
            log.warn("connection={} provider={} answered oddly ({}): stored with safe defaults", claim.connectionId(),
                    provider.name(), grant.oddities());
        }
        if (stored.isEmpty()) {
            Optional<ConnectionStore.Disconnection> disconnection = store.disconnection(claim.connectionId());
            boolean disconnected = disconnection.isPresent();
            if (disconnected && disconnection.get().revokeRequested() && grant.refreshToken() != null) {
                lateTokens.revoke(claim, provider, grant.refreshToken());
            }
            store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, disconnected
                    ? AttemptOutcome.DISCONNECTED
                    : AttemptOutcome.SUPERSEDED, granted.httpStatus(), null, granted.duration()));
            if (disconnected) {
                log.info("on-demand refresh of connection {} landed after a disconnect: the new tokens were discarded",
                        claim.connectionId());
                throw new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.DISCONNECTED);
            }
            log.info("on-demand refresh of connection {} superseded: a newer refresh token was stored meanwhile",
                    claim.connectionId());
            return null;
        }
        log.info("refreshed connection={} provider={} fence={} outcome=refreshed on_demand=true next={} took={}ms",
                claim.connectionId(), provider.name(), claim.fence(), next, granted.duration().toMillis());
        try {
            publisher.publish(provider.name(), new RefreshMessage(claim.connectionId(), stored.get().fence(), next,
                    0), now);
        } catch (PublishFailedException e) {
            log.warn("{}; the reconciliation sweep will enqueue it", e.getMessage());
        }
        events.refreshed(claim, tokens.accessExpiresAt(), now, stored.get().revived());
        if (!tokens.hasAccessToken()) {
            throw new AccessTokenUnavailableException(claim.connectionId(), provider.name(), "odd_answer", false,
                    ODD_ANSWER_RETRY, "the provider's answer had no usable access token (its refresh token is "
                            + "stored); try again");
        }
        return grant.accessTokenLifetime();
    }

    private RuntimeException failure(Claim claim, ProviderSettings provider, RefreshResult.Failed failed,
            boolean answerLost) {
        if (failed.errorClass() == ErrorClass.REAUTH_REQUIRED) {
            String reason = LostAnswers.chainEndReason(failed, answerLost);
            if (endChain(claim, reason, failed.errorCode(), reason.equals(failed.errorCode())
                    ? "the refresh token was refused"
                    : LostAnswers.detail(failed), failed.httpStatus(), failed.duration())) {
                return new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.REAUTH_REQUIRED);
            }
            // A newer refresh token was stored meanwhile: ours was simply old.
            return new AccessTokenUnavailableException(claim.connectionId(), provider.name(), "superseded", false,
                    Duration.ZERO, "a newer refresh token was stored meanwhile; try again");
        }
        boolean rejected = failed.errorClass() == ErrorClass.REJECTED;
        Instant now = clock.instant();
        // The chain is the workers': record the attempt, give the lease back, leave the queued message as it is. After
        // a call the provider may still be serving, nobody (this caller, the next one, a worker) calls before the
        // provider's quiet period has passed: the row says so, by the database's clock.
        Duration quietPeriod = failed.mayStillRun() ? provider.timeoutQuietPeriod() : Duration.ZERO;
        store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, rejected
                ? AttemptOutcome.REJECTED
                : AttemptOutcome.TRANSIENT_FAILURE, failed.httpStatus(), failed.errorCode(), failed.duration()));
        claims.releaseLease(claim, quietPeriod);
        log.warn("connection={} provider={} fence={} outcome={} on_demand=true reason={} status={}", claim
                .connectionId(), provider.name(), claim.fence(), rejected ? "rejected" : "transient_failure",
                failed
                        .errorCode(),
                failed.httpStatus());
        return new AccessTokenUnavailableException(claim.connectionId(), provider.name(), failed.errorCode(),
                rejected, laterOf(failed.retryAfter(), quietPeriod), rejected
                        ? "the provider refused the app's credentials (" + failed.errorCode() + ")"
                        : "the provider failed (" + failed.errorCode() + ")" + (quietPeriod.isPositive()
                                ? "; it may still be serving that call, so no refresh is tried for " + quietPeriod
                                : ""));
    }

    /** The longer wait of the provider's {@code Retry-After} (may be null) and a quiet period (may be zero). */
    private static Duration laterOf(Duration retryAfter, Duration quietPeriod) {
        if (!quietPeriod.isPositive()) {
            return retryAfter;
        }
        return retryAfter != null && retryAfter.compareTo(quietPeriod) > 0 ? retryAfter : quietPeriod;
    }

    /**
     * The refresh token is dead: the same end as a worker gives the chain, with its dead letter and event.
     *
     * @param reason why: the attempt's error code, the dead letter's and events' reason
     * @param errorCode what the provider said (the dead letter's error code)
     */
    private boolean endChain(Claim claim, String reason, String errorCode, String detail, Integer httpStatus,
            Duration duration) {
        Instant now = clock.instant();
        RefreshMessage message = new RefreshMessage(claim.connectionId(), claim.fence(), now, 0);
        DeadLetter letter = new DeadLetter(codec.encode(message), message.messageId(), reason, errorCode, detail, claim
                .provider(), claim.connectionId(), 1, httpStatus, claim.firstFailureOr(now), now, properties.owner());
        boolean ended = pending.keepWith(letter, () -> outcomes.markReauthRequired(claim, reason, now, attempt(now,
                AttemptOutcome.REAUTH_REQUIRED, httpStatus, reason, duration)));
        if (!ended) {
            return false;
        }
        log.warn("connection={} provider={} fence={} outcome=reauth_required on_demand=true reason={}", claim
                .connectionId(), claim.provider(), claim.fence(), reason);
        try {
            pending.publish(deadLetters, letter);
        } catch (RuntimeException e) {
            // The connection's state is stored and the letter kept with it: the relay sends it later.
            log.warn("dead letter for connection {} not published ({}); the relay sends it later", claim
                    .connectionId(), e.getMessage());
        }
        events.publish(ConnectionEvent.failure(ConnectionEvent.REAUTH_REQUIRED, claim.connectionId(), claim
                .tenantId(), claim.provider(), reason, now));
        events.publish(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, claim.connectionId(), claim
                .tenantId(), claim.provider(), reason, now));
        return true;
    }

    private AttemptRecord attempt(Instant at, AttemptOutcome outcome, Integer httpStatus, String errorCode,
            Duration duration) {
        return new AttemptRecord(at, outcome, httpStatus, errorCode, duration, properties.owner());
    }

    /** Marks a transient answer for spring-retry; carries nothing, the answer was recorded already. */
    private static final class RetryableFailure extends RuntimeException {
        RetryableFailure() {
            super(null, null, false, false);
        }
    }
}
