package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.connection.StoredTokens;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.scheduler.connection.ConnectionNotActiveException;
import dev.tokenrefresher.scheduler.connection.ConnectionNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Hands out access tokens valid for at least a given time, refreshing on demand through the same single-flight claim
 * the workers take (DESIGN decision 3): of many concurrent calls for one connection, in this process or across
 * schedulers and workers, one calls the provider and the others wait for its result.
 *
 * <p>In this process the calls for one connection share one future; across processes the claim's lease decides, and a
 * call that finds the connection leased waits for the lease holder's result in the database.
 */
@Service
public class OnDemandRefresh {

    private static final Logger log = LoggerFactory.getLogger(OnDemandRefresh.class);
    /** How often a call re-reads a connection that someone else is refreshing. */
    private static final Duration LEASE_POLL = Duration.ofMillis(100);

    private final ConnectionStore store;
    private final ProviderRegistry providers;
    private final TokenEndpointClient tokenEndpoint;
    private final RefreshPublisher publisher;
    private final DeadLetterPublisher deadLetters;
    private final ConnectionEventPublisher events;
    private final RefreshMessageCodec codec;
    private final AccessTokenProperties properties;
    private final Clock clock;
    private final Map<UUID, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    OnDemandRefresh(ConnectionStore store, ProviderRegistry providers,
            TokenEndpointClient tokenEndpoint, RefreshPublisher publisher,
            DeadLetterPublisher deadLetters, ConnectionEventPublisher events, RefreshMessageCodec codec,
            AccessTokenProperties properties, Clock clock) {
        for (ProviderSettings provider : providers.all()) {
            if (properties.lease().compareTo(provider.requestTimeout()) <= 0) {
                throw new IllegalStateException("refresher.access-token.lease (" + properties.lease() + ") must be "
                        + "longer than provider " + provider.name() + "'s request-timeout (" + provider
                                .requestTimeout()
                        + ")");
            }
        }
        this.store = store;
        this.providers = providers;
        this.tokenEndpoint = tokenEndpoint;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.events = events;
        this.codec = codec;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * An access token valid for at least {@code minValidity}, refreshed first if the stored one is not.
     *
     * @throws ConnectionNotFoundException no such connection
     * @throws ConnectionNotActiveException it needs re-authorization or was disconnected
     * @throws AccessTokenUnavailableException the provider failed or refused, or a refresh took too long
     * @throws MinValidityTooLongException the provider's tokens do not live that long
     */
    public AccessToken accessToken(UUID id, Duration minValidity) {
        Instant deadline = clock.instant().plus(properties.maxWait());
        boolean refreshedByThisCall = false;
        while (true) {
            ConnectionView connection = store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
            if (connection.status() != ConnectionStatus.ACTIVE) {
                throw new ConnectionNotActiveException(id, connection.status());
            }
            Instant now = clock.instant();
            if (!connection.accessExpiresAt().isBefore(now.plus(minValidity))) {
                StoredTokens tokens = store.tokens(id).orElseThrow(() -> new ConnectionNotFoundException(id));
                if (!tokens.accessExpiresAt().isBefore(now.plus(minValidity))) {
                    return new AccessToken(id, "Bearer", tokens.accessToken(), tokens.accessExpiresAt(), tokens
                            .realmId(), refreshedByThisCall);
                }
            }
            if (!now.isBefore(deadline)) {
                throw new AccessTokenUnavailableException(id, connection.provider(), "refresh_in_flight", false,
                        Duration.ofSeconds(1), "a refresh did not finish within " + properties.maxWait());
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> running = inFlight.putIfAbsent(id, mine);
            if (running != null) {
                awaitOther(running, connection, deadline);
                continue;
            }
            try {
                Duration lifetime = refreshOnce(connection, deadline);
                mine.complete(null);
                if (lifetime != null) {
                    if (lifetime.compareTo(minValidity) < 0) {
                        throw new MinValidityTooLongException(id, minValidity, lifetime);
                    }
                    refreshedByThisCall = true;
                }
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(id, mine);
            }
        }
    }

    /** Waits for another call of this process that refreshes the same connection; its failure is ours too. */
    private void awaitOther(CompletableFuture<Void> running, ConnectionView connection, Instant deadline) {
        try {
            running.get(Math.max(1, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            // the loop reports it at the deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccessTokenUnavailableException(connection.id(), connection.provider(), "interrupted", false,
                    null, "the scheduler is shutting down");
        }
    }

    /**
     * One attempt: claim, call, store. Returns the new token's lifetime if this call stored one, {@code null} if the
     * connection moved on meanwhile (another actor refreshed it, or holds the lease and was waited for).
     */
    private Duration refreshOnce(ConnectionView connection, Instant deadline) {
        Instant now = clock.instant();
        ClaimResult claim = store.claim(connection.id(), connection.refreshFence(), properties.owner(), now,
                properties.lease());
        return switch (claim) {
            case ClaimResult.Claimed claimed -> call(claimed.claim());
            case ClaimResult.StaleFence stale -> null;
            case ClaimResult.NotActive notActive -> throw new ConnectionNotActiveException(connection.id(),
                    notActive.status());
            case ClaimResult.NotFound notFound -> throw new ConnectionNotFoundException(connection.id());
            case ClaimResult.Leased leased -> {
                awaitLease(connection, leased.leaseUntil(), deadline);
                yield null;
            }
        };
    }

    /** Someone else (a worker, another scheduler) is refreshing: wait until its lease ends or the fence moves. */
    private void awaitLease(ConnectionView connection, Instant leaseUntil, Instant deadline) {
        Instant until = leaseUntil == null || leaseUntil.isAfter(deadline) ? deadline : leaseUntil;
        while (clock.instant().isBefore(until)) {
            try {
                Thread.sleep(LEASE_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AccessTokenUnavailableException(connection.id(), connection.provider(), "interrupted",
                        false, null, "the scheduler is shutting down");
            }
            ConnectionView now = store.find(connection.id()).orElseThrow(() -> new ConnectionNotFoundException(
                    connection.id()));
            if (now.refreshFence() != connection.refreshFence()) {
                return;
            }
        }
    }

    private Duration call(Claim claim) {
        ProviderSettings provider = providers.get(claim.provider());
        Instant started = clock.instant();
        if (claim.refreshExpiresAt() != null && !started.isBefore(claim.refreshExpiresAt())) {
            endChain(claim, "refresh_token_expired", null, Duration.ZERO);
            throw new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.REAUTH_REQUIRED);
        }
        RefreshResult result = tokenEndpoint.refresh(provider, claim.refreshToken());
        return switch (result) {
            case RefreshResult.Granted granted -> store(claim, provider, granted, started);
            case RefreshResult.Failed failed -> throw failure(claim, provider, failed);
        };
    }

    private Duration store(Claim claim, ProviderSettings provider, RefreshResult.Granted granted, Instant started) {
        Instant now = clock.instant();
        RefreshedTokens tokens = RefreshedTokens.of(granted.grant(), started, claim.refreshExpiresAt());
        Instant next = provider.refreshDueAt(started, granted.grant().accessTokenLifetime());
        OptionalLong fence = store.storeRefreshed(claim, tokens, next, now, attempt(now, AttemptOutcome.REFRESHED,
                granted.httpStatus(), null, granted.duration()));
        if (fence.isEmpty()) {
            store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, AttemptOutcome.SUPERSEDED,
                    granted.httpStatus(), null, granted.duration()));
            log.info("on-demand refresh of connection {} superseded: a newer refresh token was stored meanwhile",
                    claim.connectionId());
            return null;
        }
        log.info("refreshed connection={} provider={} fence={} outcome=refreshed on_demand=true next={} took={}ms",
                claim.connectionId(), provider.name(), claim.fence(), next, granted.duration().toMillis());
        try {
            publisher.publish(provider.name(), new RefreshMessage(claim.connectionId(), fence.getAsLong(), next, 0),
                    now);
        } catch (PublishFailedException e) {
            log.warn("{}; the reconciliation sweep will enqueue it", e.getMessage());
        }
        events.refreshed(claim, tokens.accessExpiresAt(), now);
        return granted.grant().accessTokenLifetime();
    }

    private RuntimeException failure(Claim claim, ProviderSettings provider, RefreshResult.Failed failed) {
        if (failed.errorClass() == ErrorClass.REAUTH_REQUIRED) {
            if (endChain(claim, failed.errorCode(), failed.httpStatus(), failed.duration())) {
                return new ConnectionNotActiveException(claim.connectionId(), ConnectionStatus.REAUTH_REQUIRED);
            }
            // A newer refresh token was stored meanwhile: ours was simply old.
            return new AccessTokenUnavailableException(claim.connectionId(), provider.name(), "superseded", false,
                    Duration.ZERO, "a newer refresh token was stored meanwhile; try again");
        }
        boolean rejected = failed.errorClass() == ErrorClass.REJECTED;
        Instant now = clock.instant();
        // The chain is the workers': record the attempt, give the lease back, leave the queued message as it is.
        store.recordAttempt(claim.connectionId(), claim.fence(), attempt(now, rejected
                ? AttemptOutcome.REJECTED
                : AttemptOutcome.TRANSIENT_FAILURE, failed.httpStatus(), failed.errorCode(), failed.duration()));
        store.releaseLease(claim);
        log.warn("connection={} provider={} fence={} outcome={} on_demand=true reason={} status={}", claim
                .connectionId(), provider.name(), claim.fence(), rejected ? "rejected" : "transient_failure",
                failed
                        .errorCode(),
                failed.httpStatus());
        return new AccessTokenUnavailableException(claim.connectionId(), provider.name(), failed.errorCode(),
                rejected, failed.retryAfter(), rejected
                        ? "the provider refused the app's credentials (" + failed.errorCode() + ")"
                        : "the provider failed (" + failed.errorCode() + ")");
    }

    /** The refresh token is dead: the same end as a worker gives the chain, with its dead letter and event. */
    private boolean endChain(Claim claim, String errorCode, Integer httpStatus, Duration duration) {
        Instant now = clock.instant();
        boolean ended = store.markReauthRequired(claim, errorCode, now, attempt(now, AttemptOutcome.REAUTH_REQUIRED,
                httpStatus, errorCode, duration));
        if (!ended) {
            return false;
        }
        log.warn("connection={} provider={} fence={} outcome=reauth_required on_demand=true reason={}", claim
                .connectionId(), claim.provider(), claim.fence(), errorCode);
        RefreshMessage message = new RefreshMessage(claim.connectionId(), claim.fence(), now, 0);
        try {
            deadLetters.publish(new DeadLetter(codec.encode(message), message.messageId(), errorCode, errorCode,
                    "the refresh token was refused", claim.provider(), claim.connectionId(), 1, httpStatus,
                    claim.firstFailureAt() != null ? claim.firstFailureAt() : now, now, properties.owner()));
        } catch (RuntimeException e) {
            // The connection's state is stored; the dead letter is the operator's copy of it.
            log.warn("dead letter for connection {} not published: {}", claim.connectionId(), e.getMessage());
        }
        events.publish(ConnectionEvent.failure(ConnectionEvent.REAUTH_REQUIRED, claim.connectionId(), claim
                .tenantId(), claim.provider(), errorCode, now));
        events.publish(ConnectionEvent.failure(ConnectionEvent.DEAD_LETTERED, claim.connectionId(), claim
                .tenantId(), claim.provider(), errorCode, now));
        return true;
    }

    private AttemptRecord attempt(Instant at, AttemptOutcome outcome, Integer httpStatus, String errorCode,
            Duration duration) {
        return new AttemptRecord(at, outcome, httpStatus, errorCode, duration, properties.owner());
    }
}
