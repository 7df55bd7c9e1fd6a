package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.StoredTokens;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.scheduler.connection.ConnectionNotActiveException;
import dev.tokenrefresher.scheduler.connection.ConnectionNotFoundException;
import dev.tokenrefresher.scheduler.keys.UndecryptableConnectionException;
import dev.tokenrefresher.scheduler.keys.UndecryptableLetters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Service;

/**
 * Hands out access tokens valid for at least a given time, refreshing on demand through the same single-flight claim
 * the workers take (DESIGN decision 3): of many concurrent calls for one connection, in this process or across
 * schedulers and workers, one calls the provider and the others wait for its result.
 *
 * <p>In this process the calls for one connection share one future; across processes the claim's lease decides, and a
 * call that finds the connection leased waits for the lease holder's result in the database.
 *
 * <p>A call whose stored token is valid enough is answered from the store, whatever the provider's state. A call that
 * needs a refresh while the provider's circuit breaker is open is answered at once, without a claim or a provider
 * call ({@link ProviderCircuits}, {@link ProviderCircuitOpenException}): during an outage the API does not add to the
 * provider's load, and callers learn when to come back.
 *
 * <p>One call makes at most one refresh of its own, and answers with any token issued since it began: a token just
 * issued is as fresh as a token gets, so a caller who asks for nearly the token's whole life gets it (saying that it
 * falls short) instead of a refresh after a refresh. What no token could meet is refused before the provider is
 * called.
 */
@Service
public class OnDemandRefresh {

    /** How often a call re-reads a connection that someone else is refreshing. */
    private static final Duration LEASE_POLL = Duration.ofMillis(100);

    private final ConnectionStore store;
    private final ConnectionClaims claims;
    private final ProviderRegistry providers;
    private final ClaimedRefresh claimedRefresh;
    private final ProviderCircuits circuits;
    private final AccessTokenProperties properties;
    private final Clock clock;
    private final UndecryptableLetters undecryptableLetters;
    private final Map<UUID, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    OnDemandRefresh(ConnectionStore store, ConnectionClaims claims, ProviderRegistry providers,
            ClaimedRefresh claimedRefresh, ProviderCircuits circuits, AccessTokenProperties properties, Clock clock,
            UndecryptableLetters undecryptableLetters) {
        for (ProviderSettings provider : providers.all()) {
            properties.requireLeaseCovers(provider.name(), provider.requestTimeout());
        }
        this.store = store;
        this.claims = claims;
        this.providers = providers;
        this.claimedRefresh = claimedRefresh;
        this.circuits = circuits;
        this.properties = properties;
        this.clock = clock;
        this.undecryptableLetters = undecryptableLetters;
    }

    /**
     * An access token valid for at least {@code minValidity}, refreshed first if the stored one is not.
     *
     * @param minValidity {@code null} for the default, {@link AccessTokenProperties#defaultMinValidityFor}
     * @throws ConnectionNotFoundException no such connection
     * @throws ConnectionNotActiveException it needs re-authorization or was disconnected
     * @throws AccessTokenUnavailableException the provider failed or refused, or a refresh took too long
     * @throws ProviderCircuitOpenException a refresh is needed and the provider's circuit breaker is open
     * @throws MinValidityTooLongException the provider's tokens do not live that long (before any provider call)
     */
    public AccessToken accessToken(UUID id, Duration minValidity) {
        Instant callStarted = clock.instant();
        Instant deadline = callStarted.plus(properties.maxWait());
        boolean refreshedByThisCall = false;
        while (true) {
            ConnectionView connection = store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
            if (connection.status() != ConnectionStatus.ACTIVE) {
                throw new ConnectionNotActiveException(id, connection.status());
            }
            Duration lifetime = connection.accessTokenLifetime().orElse(null);
            Duration wanted = minValidity != null ? minValidity : properties.defaultMinValidityFor(lifetime);
            if (lifetime != null && wanted.compareTo(lifetime) >= 0) {
                throw new MinValidityTooLongException(id, wanted, lifetime);
            }
            Instant now = clock.instant();
            if (refreshedByThisCall || !connection.accessExpiresAt().isBefore(now.plus(wanted))
                    || issuedSince(connection.accessExpiresAt(), lifetime, callStarted)) {
                StoredTokens tokens = store.tokens(id).orElseThrow(() -> new ConnectionNotFoundException(id));
                boolean met = !tokens.accessExpiresAt().isBefore(now.plus(wanted));
                if (met || refreshedByThisCall || issuedSince(tokens.accessExpiresAt(), lifetime, callStarted)) {
                    return new AccessToken(id, "Bearer", tokens.accessToken(), tokens.accessExpiresAt(), tokens
                            .realmId(), refreshedByThisCall, met);
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
                refreshedByThisCall = refreshOnce(connection, deadline) != null;
                mine.complete(null);
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(id, mine);
            }
        }
    }

    /** Whether a token was issued after {@code since}: its expiry less its lifetime, when the lifetime is known. */
    private static boolean issuedSince(Instant expiresAt, Duration lifetime, Instant since) {
        return lifetime != null && !expiresAt.minus(lifetime).isBefore(since);
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
        // no claim for a call that could not reach the provider: a worker or a later call finds the row as it was
        circuits.requireCallable(connection.id(), connection.provider());
        // read before the claim: the lease, counted by the database from its statement, ends no sooner than this
        // plus its length, whatever this app's clock says the time is
        Instant beforeClaim = clock.instant();
        ProviderSettings provider = providers.get(connection.provider());
        ClaimResult claim = claims.claim(new ClaimRequest(connection.id(), connection.refreshFence(), properties
                .owner(), properties.lease(), properties.leaseFloor(provider.requestTimeout())));
        return switch (claim) {
            case ClaimResult.Claimed claimed -> claimedRefresh.refresh(claimed.claim(), deadline, beforeClaim.plus(
                    claimed.claim().lease()));
            case ClaimResult.StaleFence stale -> null;
            case ClaimResult.NotActive notActive -> throw new ConnectionNotActiveException(connection.id(),
                    notActive.status());
            case ClaimResult.NotFound notFound -> throw new ConnectionNotFoundException(connection.id());
            case ClaimResult.Undecryptable undecryptable -> {
                // no provider call can help: park it once, with its letter, and say why
                undecryptableLetters.parkClaim(undecryptable);
                throw new UndecryptableConnectionException(connection.id(), undecryptable.detail());
            }
            // its newest tokens wait in the parked queue; the lease that holds it lasts until an operator acts
            case ClaimResult.Leased leased when RefreshOutcomes.PARKED_TOKENS_HOLDER.equals(leased.owner()) ->
                throw new AccessTokenUnavailableException(connection.id(), connection.provider(),
                        "store_refused", false, null, "the database refused to store the provider's newest tokens "
                                + "for this connection; they are parked until an operator moves them back");
            case ClaimResult.Leased leased -> {
                awaitRow(connection, clock.instant().plus(leased.remaining()), deadline);
                yield null;
            }
            case ClaimResult.Quiet quiet -> {
                // A call with this refresh token timed out and the provider may still be serving it (issue 19, point
                // 2): wait out its quiet period if the caller can, else say when to come back.
                Instant quietEnds = clock.instant().plus(quiet.remaining());
                if (quietEnds.isAfter(deadline)) {
                    throw new AccessTokenUnavailableException(connection.id(), connection.provider(), "quiet_period",
                            false, quiet.remaining(), "a refresh of this connection timed out and the provider may "
                                    + "still be serving it; no refresh is tried for " + quiet.remaining());
                }
                awaitRow(connection, quietEnds, deadline);
                yield null;
            }
        };
    }

    /**
     * Someone else (a worker, another scheduler) is refreshing, or a call that timed out may still be running at the
     * provider: wait until the lease or the quiet period ends or the fence moves.
     *
     * @param ends when the lease or the quiet period ends by this app's clock: now plus what the database said is left
     *            of it
     */
    private void awaitRow(ConnectionView connection, Instant ends, Instant deadline) {
        Instant until = ends.isAfter(deadline) ? deadline : ends;
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
}
