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
 * How a claimed refresh ends, each in one guarded statement that also records the attempt: the new tokens stored (a
 * rotated refresh token in the statement that ends the attempt), the chain ended, a retry scheduled, or the connection
 * parked.
 */
public class RefreshOutcomes {

    /**
     * The lease owner of a connection whose issued tokens the database refused to store: they wait in the parked queue
     * and nobody may call the provider with the refresh token they replaced ({@link #holdForParkedTokens}).
     */
    public static final String PARKED_TOKENS_HOLDER = "parked-handoff";

    private final JdbcClient jdbc;
    private final TokenCipher cipher;

    RefreshOutcomes(JdbcClient jdbc, TokenCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    /**
     * Stores a refresh's result and schedules the next one, in one statement, if the refresh token the claim used is
     * still the stored one. The fence is not required to match: a sweep may have re-enqueued the connection while the
     * provider answered, and the rotated token must be kept all the same.
     *
     * <p>A connection marked REAUTH_REQUIRED on the very token this refresh consumed is made ACTIVE again: the
     * {@code invalid_grant} that marked it came from a call with a token the provider had already rotated for us.
     *
     * @return the new fence, for the next message; empty if another actor stored a newer token meanwhile (or the
     *         connection was disconnected)
     */
    public Optional<Stored> storeRefreshed(Claim claim, RefreshedTokens tokens, Instant nextRefreshAt, Instant now,
            AttemptRecord attempt) {
        return storeAllRefreshed(List.of(new RefreshToStore(claim, tokens, nextRefreshAt, now, attempt))).getFirst();
    }

    /**
     * {@link #storeRefreshed} for many refreshes in one statement (and one transaction: all are stored, or none).
     *
     * @return one result per refresh, in the list's order; empty where another actor stored a newer token meanwhile
     */
    public List<Optional<Stored>> storeAllRefreshed(List<RefreshToStore> refreshes) {
        List<Optional<Stored>> results = refreshes.size() == 1
                ? List.of(storeOne(refreshes.getFirst()))
                : storeGrouped(refreshes);
        resolveRevivedChainEnds(refreshes, results);
        return results;
    }

    /**
     * A revived connection's dead letter for the end of its chain no longer describes it: it is resolved, so that no
     * operator acts on it (a replay would only make an ACTIVE connection due). Rare (a late store after an
     * {@code invalid_grant} on the token it consumed), so a statement of its own, off the common path. Letters archived
     * after the revival are resolved as they are archived.
     */
    private void resolveRevivedChainEnds(List<RefreshToStore> refreshes, List<Optional<Stored>> results) {
        List<UUID> revived = new ArrayList<>();
        Instant now = null;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).map(Stored::revived).orElse(false)) {
                revived.add(refreshes.get(i).claim().connectionId());
                now = refreshes.get(i).now();
            }
        }
        if (revived.isEmpty()) {
            return;
        }
        jdbc.sql("""
                UPDATE dead_letter SET resolved_at = :now
                WHERE connection_id IN (:ids) AND reason IN (:reasons) AND resolved_at IS NULL AND replayed_at IS NULL
                """)
                .param("now", ts(now))
                .param("ids", revived)
                .param("reasons", ChainEnds.REASONS)
                .update();
    }

    private List<Optional<Stored>> storeGrouped(List<RefreshToStore> refreshes) {
        int n = refreshes.size();
        Object[] ids = new Object[n];
        // byte[][], not Object[]: the driver encodes a bytea[] only from the former
        byte[][] consumed = new byte[n][];
        byte[][] access = new byte[n][];
        byte[][] refresh = new byte[n][];
        Object[] accessExp = new Object[n];
        Object[] accessLifetimes = new Object[n];
        Object[] refreshExp = new Object[n];
        Object[] refreshHardExp = new Object[n];
        Object[] next = new Object[n];
        Object[] nows = new Object[n];
        Object[] claimFences = new Object[n];
        Object[] attemptedAt = new Object[n];
        Object[] outcomes = new Object[n];
        Object[] httpStatuses = new Object[n];
        Object[] errorCodes = new Object[n];
        Object[] durations = new Object[n];
        Object[] workers = new Object[n];
        for (int i = 0; i < n; i++) {
            RefreshToStore stored = refreshes.get(i);
            Claim claim = stored.claim();
            UUID id = claim.connectionId();
            RefreshedTokens tokens = stored.tokens();
            ids[i] = id;
            consumed[i] = claim.refreshTokenCiphertext();
            access[i] = accessCiphertext(stored);
            refresh[i] = refreshCiphertext(stored);
            accessExp[i] = ts(tokens.accessExpiresAt());
            accessLifetimes[i] = Timestamps.seconds(tokens.accessLifetime());
            refreshExp[i] = ts(tokens.refreshExpiresAt());
            refreshHardExp[i] = ts(tokens.refreshHardExpiresAt());
            next[i] = ts(stored.nextRefreshAt());
            nows[i] = ts(stored.now());
            claimFences[i] = claim.fence();
            AttemptRecord attempt = stored.attempt();
            attemptedAt[i] = ts(attempt.attemptedAt());
            outcomes[i] = attempt.outcome().name();
            httpStatuses[i] = attempt.httpStatus();
            errorCodes[i] = attempt.errorCode();
            durations[i] = durationMillis(attempt);
            workers[i] = attempt.worker();
        }
        @SuppressWarnings("unchecked")
        Optional<Stored>[] fences = new Optional[n];
        Arrays.fill(fences, Optional.empty());
        jdbc.sql(
                """
                        WITH request AS (
                            SELECT * FROM unnest(:ids::uuid[], :consumed::bytea[], :access::bytea[], :refresh::bytea[],
                                                 :accessExp::timestamptz[], :accessLifetimes::int[], :refreshExp::timestamptz[],
                                                 :refreshHardExp::timestamptz[], :next::timestamptz[],
                                                 :nows::timestamptz[], :claimFences::bigint[], :attemptedAt::timestamptz[],
                                                 :outcomes::text[], :httpStatuses::int[], :errorCodes::text[], :durations::int[],
                                                 :workers::text[])
                                WITH ORDINALITY AS r(id, consumed, access, refresh, access_exp, access_lifetime, refresh_exp,
                                                     refresh_hard_exp, next, now,
                                                     claim_fence,
                                                     attempted_at, outcome, http_status, error_code, duration, worker, ord)),
                        updated AS (
                            UPDATE connection c SET access_token_enc = coalesce(r.access, c.access_token_enc), refresh_token_enc = r.refresh,
                                   access_expires_at = coalesce(r.access_exp, c.access_expires_at),
                                   access_lifetime_seconds = coalesce(r.access_lifetime, c.access_lifetime_seconds),
                                   refresh_expires_at = r.refresh_exp, next_refresh_at = r.next,
                                   refresh_hard_expires_at = coalesce(r.refresh_hard_exp, c.refresh_hard_expires_at),
                                   refresh_fence = c.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                                   consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, answer_lost_at = NULL, quiet_until = NULL, last_refreshed_at = r.now,
                                   updated_at = r.now, status = 'ACTIVE'
                            FROM request r
                            WHERE c.id = r.id AND c.refresh_token_enc = r.consumed AND c.status <> 'DISCONNECTED'
                            -- the sub-select sees the row as it was before this statement
                            RETURNING r.ord, c.id, c.refresh_fence,
                                      (SELECT p.status = 'REAUTH_REQUIRED' FROM connection p WHERE p.id = c.id) AS revived,
                                      r.claim_fence, r.attempted_at, r.outcome, r.http_status,
                                      r.error_code, r.duration, r.worker),
                        attempt AS (
                            INSERT INTO refresh_attempt (connection_id, fence, attempted_at, outcome, http_status, error_code,
                                                         duration_ms, worker)
                            SELECT id, claim_fence, attempted_at, outcome, http_status, error_code, duration, worker FROM updated)
                        SELECT ord, refresh_fence, revived FROM updated
                        """)
                .param("ids", PgArray.of("uuid", ids))
                .param("consumed", PgArray.of("bytea", consumed))
                .param("access", PgArray.of("bytea", access))
                .param("refresh", PgArray.of("bytea", refresh))
                .param("accessExp", PgArray.of("timestamptz", accessExp))
                .param("accessLifetimes", PgArray.of("int4", accessLifetimes))
                .param("refreshExp", PgArray.of("timestamptz", refreshExp))
                .param("refreshHardExp", PgArray.of("timestamptz", refreshHardExp))
                .param("next", PgArray.of("timestamptz", next))
                .param("nows", PgArray.of("timestamptz", nows))
                .param("claimFences", PgArray.of("int8", claimFences))
                .param("attemptedAt", PgArray.of("timestamptz", attemptedAt))
                .param("outcomes", PgArray.of("text", outcomes))
                .param("httpStatuses", PgArray.of("int4", httpStatuses))
                .param("errorCodes", PgArray.of("text", errorCodes))
                .param("durations", PgArray.of("int4", durations))
                .param("workers", PgArray.of("text", workers))
                .query((RowCallbackHandler) rs -> fences[rs.getInt("ord") - 1] = Optional.of(new Stored(rs.getLong(
                        "refresh_fence"), rs.getBoolean("revived"))));
        return Arrays.asList(fences);
    }

    /** One refresh in the plain statement; see {@code ConnectionClaims.claimOne} for why. */
    private Optional<Stored> storeOne(RefreshToStore stored) {
        Claim claim = stored.claim();
        RefreshedTokens tokens = stored.tokens();
        return jdbc
                .sql("""
                        WITH updated AS (
                            UPDATE connection SET access_token_enc = coalesce(:access::bytea, access_token_enc), refresh_token_enc = :refresh,
                                   access_expires_at = coalesce(:accessExp::timestamptz, access_expires_at),
                                   access_lifetime_seconds = coalesce(:accessLifetime::int, access_lifetime_seconds),
                                   refresh_expires_at = :refreshExp, next_refresh_at = :next,
                                   refresh_hard_expires_at = coalesce(:refreshHardExp::timestamptz, refresh_hard_expires_at),
                                   refresh_fence = refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                                   consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, answer_lost_at = NULL, quiet_until = NULL, last_refreshed_at = :now,
                                   updated_at = :now, status = 'ACTIVE'
                            WHERE id = :id AND refresh_token_enc = :consumed AND status <> 'DISCONNECTED'
                            -- the sub-select sees the row as it was before this statement
                            RETURNING id, refresh_fence,
                                      (SELECT p.status = 'REAUTH_REQUIRED' FROM connection p WHERE p.id = :id) AS revived),
                        """
                        + RECORD_ATTEMPT_OF_UPDATED + """
                                SELECT refresh_fence, revived FROM updated
                                """)
                .param("access", accessCiphertext(stored))
                .param("refresh", refreshCiphertext(stored))
                .param("accessExp", ts(tokens.accessExpiresAt()))
                .param("accessLifetime", Timestamps.seconds(tokens.accessLifetime()))
                .param("refreshExp", ts(tokens.refreshExpiresAt()))
                .param("refreshHardExp", ts(tokens.refreshHardExpiresAt()))
                .param("next", ts(stored.nextRefreshAt()))
                .param("now", ts(stored.now()))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .param("claimFence", claim.fence())
                .params(attemptParams(stored.attempt()))
                .query((rs, n) -> new Stored(rs.getLong("refresh_fence"), rs.getBoolean("revived")))
                .optional();
    }

    /** {@code null} when the answer had no usable access token: the statement keeps the stored one. */
    private byte[] accessCiphertext(RefreshToStore stored) {
        if (!stored.tokens().hasAccessToken()) {
            return null;
        }
        return cipher.encrypt(stored.tokens().accessToken(), CipherBinding.connection(stored.claim().connectionId(),
                ACCESS_TOKEN));
    }

    /** An answer without a refresh token keeps the stored one. */
    private byte[] refreshCiphertext(RefreshToStore stored) {
        String rotated = stored.tokens().refreshToken();
        return rotated == null
                ? stored.claim().refreshTokenCiphertext()
                : cipher.encrypt(rotated, CipherBinding.connection(stored.claim().connectionId(), REFRESH_TOKEN));
    }

    /**
     * Ends the chain: the refresh token is dead. Guarded like {@link #storeRefreshed}: if a newer token was stored
     * meanwhile, the connection is left alone and this returns {@code false}.
     */
    public boolean markReauthRequired(Claim claim, String reason, Instant now, AttemptRecord attempt) {
        return jdbc
                .sql("""
                        WITH updated AS (
                            UPDATE connection SET status = 'REAUTH_REQUIRED', next_refresh_at = NULL,
                                   refresh_fence = refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                                   consecutive_failures = consecutive_failures + 1, first_failure_at = coalesce(first_failure_at, :now),
                               last_error = :error, updated_at = :now
                            WHERE id = :id AND refresh_token_enc = :consumed
                            RETURNING id),
                        """
                        + RECORD_ATTEMPT_OF_UPDATED + """
                                SELECT count(*) FROM updated
                                """)
                .param("error", lastError(reason))
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .param("claimFence", claim.fence())
                .params(attemptParams(attempt))
                .query(Long.class)
                .single() > 0;
    }

    /**
     * Records that a request with the claim's refresh token lost its answer, so that the provider may have rotated it:
     * an {@code invalid_grant} for this token later, by whichever actor, ends the chain as answer_lost_after_rotation.
     * Guarded by the token: if a newer one was stored meanwhile, nothing changes. Kept until a new token is stored.
     */
    public void markAnswerLost(Claim claim, Instant now) {
        jdbc.sql("""
                UPDATE connection SET answer_lost_at = coalesce(answer_lost_at, :now)
                WHERE id = :id AND refresh_token_enc = :consumed
                """)
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .update();
    }

    /**
     * Gives up the lease after a failure that may pass, and schedules the retry with a new fence.
     *
     * @param quietPeriod after a call that may still be running at the provider (it timed out), how long nobody may
     *            claim the connection, counted by the database's clock from this statement; {@code Duration.ZERO}
     *            after any other failure
     * @return the new fence; empty if the claim is no longer ours (another actor moved the connection on)
     */
    public OptionalLong rescheduleAfterFailure(Claim claim, String reason, Instant retryAt, Duration quietPeriod,
            Instant now, AttemptRecord attempt) {
        return failureUpdate(claim, reason, retryAt, quietPeriod, now, attempt);
    }

    /**
     * Gives up the lease after a failure that retrying cannot fix (bad client credentials, too many attempts) and
     * parks the connection: still ACTIVE with its tokens untouched, but with no refresh scheduled, so the sweep leaves
     * it alone until an operator replays its dead letter.
     *
     * @param quietPeriod as for {@link #rescheduleAfterFailure}: a replay does not call before it has passed
     */
    public boolean park(Claim claim, String reason, Duration quietPeriod, Instant now, AttemptRecord attempt) {
        return failureUpdate(claim, reason, null, quietPeriod, now, attempt).isPresent();
    }

    /**
     * Parks a connection whose issued tokens the database refused to store (they wait, encrypted, in the parked queue):
     * no refresh scheduled, so the sweep leaves it alone, and a lease held by {@link #PARKED_TOKENS_HOLDER} for a
     * century, so that no claim (a worker's, an on-demand read's), replay or "refresh now" calls the provider with the
     * refresh token the parked tokens replaced: a provider that revokes on reuse would end the chain. A store of new
     * tokens clears both (an operator moving the hand-off back), as does a reconnect or a disconnect. The status stays
     * as it is: a store of the parked tokens revives a connection marked on the token they replaced.
     *
     * <p>Guarded by the consumed refresh token: if a newer one is stored, or the connection was disconnected, nothing
     * changes.
     *
     * @param reason for {@code last_error}, e.g. {@code store_refused: 22008}
     * @return the new fence; empty if nothing changed
     */
    public OptionalLong holdForParkedTokens(Claim claim, String reason, Instant now) {
        return jdbc.sql("""
                UPDATE connection SET next_refresh_at = NULL, refresh_fence = refresh_fence + 1,
                       lease_owner = :holder, lease_until = statement_timestamp() + interval '100 years',
                       last_error = :error, updated_at = :now
                WHERE id = :id AND refresh_token_enc = :consumed AND status <> 'DISCONNECTED'
                RETURNING refresh_fence
                """)
                .param("holder", PARKED_TOKENS_HOLDER)
                .param("error", lastError(reason))
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .query((rs, n) -> rs.getLong(1))
                .optional()
                .map(OptionalLong::of)
                .orElseGet(OptionalLong::empty);
    }

    private OptionalLong failureUpdate(Claim claim, String reason, Instant nextRefreshAt, Duration quietPeriod,
            Instant now, AttemptRecord attempt) {
        return jdbc.sql("""
                WITH updated AS (
                    UPDATE connection SET next_refresh_at = :next, refresh_fence = refresh_fence + 1,
                           lease_owner = NULL, lease_until = NULL, consecutive_failures = consecutive_failures + 1,
                           first_failure_at = coalesce(first_failure_at, :now),
                           last_error = :error, updated_at = :now, """ + ConnectionClaims.START_QUIET_PERIOD + """
                    WHERE id = :id AND refresh_fence = :claimFence AND lease_owner = :worker
                    RETURNING id, refresh_fence),
                """ + RECORD_ATTEMPT_OF_UPDATED + """
                SELECT refresh_fence FROM updated
                """)
                .param("next", ts(nextRefreshAt))
                .param("quietMs", quietPeriod.toMillis())
                .param("error", lastError(reason))
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("claimFence", claim.fence())
                .params(attemptParams(attempt))
                .query((rs, n) -> rs.getLong(1))
                .optional()
                .map(OptionalLong::of)
                .orElseGet(OptionalLong::empty);
    }
}
