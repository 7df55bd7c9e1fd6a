package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.AttemptRows.RECORD_ATTEMPT_OF_UPDATED;
import static dev.tokenrefresher.common.connection.AttemptRows.attemptParams;
import static dev.tokenrefresher.common.connection.AttemptRows.durationMillis;
import static dev.tokenrefresher.common.connection.AttemptRows.lastError;
import static dev.tokenrefresher.common.connection.ConnectionStore.ACCESS_TOKEN;
import static dev.tokenrefresher.common.connection.ConnectionStore.REFRESH_TOKEN;
import static dev.tokenrefresher.common.connection.Timestamps.instant;
import static dev.tokenrefresher.common.connection.Timestamps.ts;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.crypto.TokenDecryptionException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The single-flight lease (DESIGN decision 3): a worker or an on-demand refresh claims a connection with one
 * conditional statement before it calls the provider, and gives the claim back when the provider was not called.
 *
 * <p>Leases are set and compared with the database's clock only (DESIGN decision 11): {@code statement_timestamp()},
 * the start of the statement, one instant for every row of a grouped claim. Not {@code now()}, which is the start of
 * the transaction and would be early inside a longer one (the sweep's); not {@code clock_timestamp()}, which moves
 * while the statement runs, so that the rows of one statement would each see another time. An early instant errs on
 * the safe side: a lease compared with it looks live a little longer, and a lease set from it ends a little sooner
 * than the claim's holder, which counts from before it sent the claim, believes.
 */
public class ConnectionClaims {

    /**
     * Sets the quiet period after a call that may still be running at the provider ({@code :quietMs}, 0 = none) by the
     * database's clock, like the lease; a connection is claimed again only after it.
     */
    static final String START_QUIET_PERIOD = "quiet_until = CASE WHEN :quietMs > 0 THEN statement_timestamp() "
            + "+ :quietMs * interval '1 millisecond' ELSE quiet_until END";

    private final JdbcClient jdbc;
    private final TokenCipher cipher;
    private final String installation;

    /** @param installation the messaging prefix, whose hand-off drains this installation's takeovers wait for */
    ConnectionClaims(JdbcClient jdbc, TokenCipher cipher, String installation) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.installation = installation;
    }

    /**
     * Takes the single-flight lease on a connection if the message's fence is current, the connection is ACTIVE and
     * nobody else holds a live lease. Expired access tokens are claimed like any other: the refresh token still works.
     *
     * <p>A lease that ended without an outcome (its holder died, or lost the database after the provider answered) is
     * taken over only once a hand-off drain has found no issued tokens waiting that were handed off before it ended
     * ({@code handoff_watermark}): otherwise the taker could call the provider with a refresh token it had already
     * rotated, and a provider that revokes on reuse would end the chain.
     *
     * <p>After a call that timed out, nobody claims the connection until the provider's quiet period has passed
     * ({@code quiet_until}, {@link ClaimResult.Quiet}): the provider may still be serving that call.
     */
    public ClaimResult claim(UUID id, long fence, String worker, Duration lease) {
        return claim(new ClaimRequest(id, fence, worker, lease));
    }

    /** {@link #claim} with the lease bounded by the token's lifetime, see {@link ClaimRequest}. */
    public ClaimResult claim(ClaimRequest request) {
        return claimAll(List.of(request)).getFirst();
    }

    /**
     * {@link #claim} for many connections in one statement, as if the requests had run one after the other in list
     * order: of two requests for the same connection and fence, the first gets the lease and the second finds it
     * {@linkplain ClaimResult.Leased leased}.
     *
     * @return one result per request, in the requests' order
     */
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        ClaimResult[] results = new ClaimResult[requests.size()];
        if (requests.size() == 1) {
            results[0] = claimOne(requests.getFirst());
        } else {
            claimMany(requests, results);
        }
        explainUnclaimed(requests, results);
        return Arrays.asList(results);
    }

    /**
     * One claim in the plain statement. The unnest form costs PostgreSQL about twice as much for a single row: it plans
     * that form afresh on every execution (a generic plan guesses ten rows per array), which only pays off for many.
     *
     * @return the claim, or null when none was taken
     */
    private ClaimResult claimOne(ClaimRequest request) {
        return jdbc
                .sql("""
                        UPDATE connection SET lease_owner = :worker, updated_at = statement_timestamp(),
                               lease_until = statement_timestamp()
                                   + GREATEST(:floorMs, LEAST(:leaseMs, coalesce(access_lifetime_seconds::bigint * 500, :leaseMs)))
                                     * interval '1 millisecond'
                        WHERE id = :id AND refresh_fence = :fence AND status = 'ACTIVE'
                          AND (lease_until IS NULL OR (lease_until <= statement_timestamp() AND lease_until < coalesce((SELECT drained_at FROM handoff_watermark
                                                                                   WHERE installation = :installation), '-infinity')))
                          AND (quiet_until IS NULL OR quiet_until <= statement_timestamp())
                        RETURNING tenant_id, provider, refresh_token_enc, access_expires_at, refresh_expires_at,
                                  consecutive_failures, first_failure_at, lease_until, answer_lost_at, refresh_hard_expires_at,
                                  (extract(epoch FROM lease_until - statement_timestamp()) * 1000)::bigint AS lease_ms
                        """)
                .param("worker", request.worker())
                .param("leaseMs", request.lease().toMillis())
                .param("floorMs", request.leaseFloor().toMillis())
                .param("id", request.connectionId())
                .param("fence", request.fence())
                .param("installation", installation)
                .query((rs, n) -> claimed(rs, request))
                .optional()
                .orElse(null);
    }

    /** Claims in one statement; fills in the claims taken and leaves null where none was. */
    private void claimMany(List<ClaimRequest> requests, ClaimResult[] results) {
        int n = requests.size();
        Object[] ids = new Object[n];
        Object[] fences = new Object[n];
        Object[] workers = new Object[n];
        Object[] leases = new Object[n];
        Object[] floors = new Object[n];
        for (int i = 0; i < n; i++) {
            ClaimRequest request = requests.get(i);
            ids[i] = request.connectionId();
            fences[i] = request.fence();
            workers[i] = request.worker();
            leases[i] = request.lease().toMillis();
            floors[i] = request.leaseFloor().toMillis();
        }
        jdbc.sql(
                """
                        WITH request AS (
                            -- of duplicates, the first in the list takes part (an UPDATE joined to two rows uses either)
                            SELECT DISTINCT ON (id, fence) *
                            FROM unnest(:ids::uuid[], :fences::bigint[], :workers::text[], :leases::bigint[], :floors::bigint[])
                                WITH ORDINALITY AS r(id, fence, worker, lease_ms, floor_ms, ord)
                            ORDER BY id, fence, ord)
                        UPDATE connection c SET lease_owner = r.worker, updated_at = statement_timestamp(),
                               lease_until = statement_timestamp() + GREATEST(r.floor_ms, LEAST(r.lease_ms,
                                                 coalesce(c.access_lifetime_seconds::bigint * 500, r.lease_ms))) * interval '1 millisecond'
                        FROM request r
                        WHERE c.id = r.id AND c.refresh_fence = r.fence AND c.status = 'ACTIVE'
                          AND (c.lease_until IS NULL
                               OR (c.lease_until <= statement_timestamp() AND c.lease_until < coalesce((SELECT drained_at FROM handoff_watermark
                                                                                 WHERE installation = :installation), '-infinity')))
                          AND (c.quiet_until IS NULL OR c.quiet_until <= statement_timestamp())
                        RETURNING r.ord, c.tenant_id, c.provider, c.refresh_token_enc, c.access_expires_at, c.refresh_expires_at,
                                  c.consecutive_failures, c.first_failure_at, c.lease_until, c.answer_lost_at,
                                  c.refresh_hard_expires_at,
                                  (extract(epoch FROM c.lease_until - statement_timestamp()) * 1000)::bigint AS lease_ms
                        """)
                .param("ids", PgArray.of("uuid", ids))
                .param("fences", PgArray.of("int8", fences))
                .param("workers", PgArray.of("text", workers))
                .param("leases", PgArray.of("int8", leases))
                .param("floors", PgArray.of("int8", floors))
                .param("installation", installation)
                .query((RowCallbackHandler) rs -> {
                    int index = rs.getInt("ord") - 1;
                    results[index] = claimed(rs, requests.get(index));
                });
    }

    /**
     * The claim as the statement returned it. A refresh token that cannot be decrypted makes this one claim
     * {@linkplain ClaimResult.Undecryptable undecryptable}, not the statement fail: the other rows of a grouped claim
     * were leased by the same committed statement, and must go on.
     */
    private ClaimResult claimed(ResultSet rs, ClaimRequest request) throws SQLException {
        UUID id = request.connectionId();
        byte[] ciphertext = rs.getBytes("refresh_token_enc");
        String refreshToken = null;
        String undecryptable = null;
        try {
            refreshToken = cipher.decrypt(ciphertext, CipherBinding.connection(id, REFRESH_TOKEN));
        } catch (TokenDecryptionException e) {
            undecryptable = e.getMessage();
        }
        Claim claim = new Claim(id, rs.getString("tenant_id"), rs.getString("provider"), request.fence(), request
                .worker(), instant(rs, "lease_until"), Duration.ofMillis(rs.getLong("lease_ms")), refreshToken,
                ciphertext, instant(rs, "access_expires_at"), instant(rs, "refresh_expires_at"), rs.getInt(
                        "consecutive_failures"),
                instant(rs, "first_failure_at"), instant(rs, "answer_lost_at"), instant(rs,
                        "refresh_hard_expires_at"));
        return undecryptable == null
                ? new ClaimResult.Claimed(claim)
                : new ClaimResult.Undecryptable(claim, undecryptable);
    }

    /** Says why each request without a lease got none, from one read of those connections as they are now. */
    private void explainUnclaimed(List<ClaimRequest> requests, ClaimResult[] results) {
        List<UUID> unclaimed = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                unclaimed.add(requests.get(i).connectionId());
            }
        }
        if (unclaimed.isEmpty()) {
            return;
        }
        Map<UUID, ClaimState> states = new HashMap<>();
        jdbc.sql("""
                SELECT id, refresh_fence, status, lease_owner, lease_until, quiet_until,
                       (extract(epoch FROM greatest(lease_until - statement_timestamp(), interval '0')) * 1000)::bigint
                           AS remaining_ms,
                       (extract(epoch FROM greatest(quiet_until - statement_timestamp(), interval '0')) * 1000)::bigint
                           AS quiet_ms
                FROM connection WHERE id = ANY(:ids::uuid[])
                """)
                .param("ids", PgArray.of("uuid", unclaimed.toArray()))
                .query((RowCallbackHandler) rs -> states.put(rs.getObject("id", UUID.class), new ClaimState(rs.getLong(
                        "refresh_fence"), ConnectionStatus.valueOf(rs.getString("status")),
                        rs.getString(
                                "lease_owner"),
                        instant(rs, "lease_until"), Duration.ofMillis(rs.getLong("remaining_ms")), instant(rs,
                                "quiet_until"),
                        Duration.ofMillis(rs.getLong("quiet_ms")))));
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                ClaimRequest request = requests.get(i);
                ClaimState state = states.get(request.connectionId());
                results[i] = state == null ? new ClaimResult.NotFound() : state.explain(request.fence());
            }
        }
    }

    /** What a claim that got no lease found. */
    private record ClaimState(long fence, ConnectionStatus status, String leaseOwner, Instant leaseUntil,
            Duration remaining, Instant quietUntil, Duration quietRemaining) {

        ClaimResult explain(long requestedFence) {
            if (fence != requestedFence) {
                return new ClaimResult.StaleFence(fence);
            }
            if (status != ConnectionStatus.ACTIVE) {
                return new ClaimResult.NotActive(status);
            }
            if (quietRemaining.isPositive() && quietRemaining.compareTo(remaining) >= 0) {
                return new ClaimResult.Quiet(quietUntil, quietRemaining);
            }
            return new ClaimResult.Leased(leaseOwner, leaseUntil, remaining);
        }
    }

    /**
     * Gives up a claim without any effect on the connection: the provider was not called (its circuit breaker or rate
     * limiter said not now). No attempt or failure is counted; the message is re-delayed with the same fence.
     */
    public boolean releaseLease(Claim claim) {
        return releaseLease(claim, Duration.ZERO);
    }

    /**
     * Gives up a claim whose provider was not called (its circuit breaker, rate limiter or bulkhead said not now) and
     * whose message comes back, with the same fence, at {@code dueAgain}: no attempt or failure is counted. The row's
     * {@code next_refresh_at} follows the message, so that the reconciliation sweep, which takes a connection due long
     * ago for lost, leaves a chain alone that a paused provider keeps re-delaying (during an outage's probes, or a
     * backlog's drain at the rate limiter's pace).
     */
    public boolean pause(Claim claim, Instant dueAgain) {
        return jdbc.sql("UPDATE connection SET lease_owner = NULL, lease_until = NULL, next_refresh_at = :next"
                + " WHERE id = :id AND refresh_fence = :fence AND lease_owner = :worker")
                .param("next", ts(dueAgain))
                .param("id", claim.connectionId())
                .param("fence", claim.fence())
                .param("worker", claim.worker())
                .update() == 1;
    }

    /**
     * Gives up a claim whose call may still be running at the provider (it timed out): nobody claims the connection
     * until {@code quietPeriod} has passed, by the database's clock. The queued message stays as it is.
     */
    public boolean releaseLease(Claim claim, Duration quietPeriod) {
        return jdbc.sql("UPDATE connection SET lease_owner = NULL, lease_until = NULL, " + START_QUIET_PERIOD
                + " WHERE id = :id AND refresh_fence = :fence AND lease_owner = :worker")
                .param("quietMs", quietPeriod.toMillis())
                .param("id", claim.connectionId())
                .param("fence", claim.fence())
                .param("worker", claim.worker())
                .update() == 1;
    }
}
