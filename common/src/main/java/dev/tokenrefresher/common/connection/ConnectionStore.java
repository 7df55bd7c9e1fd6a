package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
 * The connection table's guarded writes: every state change of the refresh path is one conditional statement, so two
 * actors can never both act on the same connection, and a rotated refresh token is stored in the statement that ends
 * the attempt.
 *
 * <p>Tokens go in and out of this class as plaintext and are stored only as ciphertexts bound to row and column.
 */
public class ConnectionStore {

    /**
     * The names the encrypted columns are bound to ({@link CipherBinding#connection}); public for tools that write rows
     * directly, such as the benchmark's {@code COPY}.
     */
    public static final String ACCESS_TOKEN = "access_token";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String REALM_ID = "realm_id";

    /** Any 64-bit constant works; this one spells "tokenref" so it is recognisable in pg_locks. */
    private static final long SWEEP_LOCK_KEY = 0x746f6b656e726566L;
    private static final int LAST_ERROR_MAX = 500;
    /** The CTE that writes the attempt row in the statement that applies the attempt's effect. */
    private static final String RECORD_ATTEMPT_OF_UPDATED = """
            attempt AS (
                INSERT INTO refresh_attempt (connection_id, fence, attempted_at, outcome, http_status, error_code,
                                             duration_ms, worker)
                SELECT id, :claimFence, :attemptedAt, :outcome, :httpStatus, :errorCode, :duration, :worker
                FROM updated)
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ConnectionRepository repository;
    private final TokenCipher cipher;

    ConnectionStore(JdbcClient jdbc, TransactionTemplate transactions, ConnectionRepository repository,
            TokenCipher cipher) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.repository = repository;
        this.cipher = cipher;
    }

    /**
     * Stores a new connection, or gives an existing connection of the same tenant and provider the new tokens (a
     * reconnect: status back to ACTIVE, failures cleared, a new fence).
     */
    public Registered register(NewConnection connection, Instant now) {
        for (int attempt = 0; attempt < 2; attempt++) {
            UUID id = repository.findByTenantIdAndProvider(connection.tenantId(), connection.provider())
                    .map(ConnectionRow::id)
                    .orElseGet(UUID::randomUUID);
            Optional<Registered> registered = upsert(id, connection, now);
            if (registered.isPresent()) {
                return registered.get();
            }
            // A concurrent registration of the same tenant and provider inserted its row first; bind to its id.
        }
        throw new ConcurrentRegistrationException(connection.tenantId(), connection.provider());
    }

    private Optional<Registered> upsert(UUID id, NewConnection connection, Instant now) {
        return jdbc
                .sql("""
                        INSERT INTO connection (id, tenant_id, provider, realm_id_enc, status, access_token_enc, refresh_token_enc,
                                                access_expires_at, refresh_expires_at, next_refresh_at, refresh_fence,
                                                consecutive_failures, created_at, updated_at)
                        VALUES (:id, :tenant, :provider, :realm, 'ACTIVE', :access, :refresh, :accessExp, :refreshExp, :next, 1, 0,
                                :now, :now)
                        ON CONFLICT (tenant_id, provider) DO UPDATE SET
                            realm_id_enc = EXCLUDED.realm_id_enc, status = 'ACTIVE', access_token_enc = EXCLUDED.access_token_enc,
                            refresh_token_enc = EXCLUDED.refresh_token_enc, access_expires_at = EXCLUDED.access_expires_at,
                            refresh_expires_at = EXCLUDED.refresh_expires_at, next_refresh_at = EXCLUDED.next_refresh_at,
                            refresh_fence = connection.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                            consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, updated_at = EXCLUDED.updated_at
                        WHERE connection.id = EXCLUDED.id
                        RETURNING id, refresh_fence, next_refresh_at, (xmax = 0) AS created
                        """)
                .param("id", id)
                .param("tenant", connection.tenantId())
                .param("provider", connection.provider())
                .param("realm", connection.realmId() == null
                        ? null
                        : cipher.encrypt(connection.realmId(), CipherBinding.connection(id, REALM_ID)))
                .param("access", cipher.encrypt(connection.accessToken(), CipherBinding.connection(id, ACCESS_TOKEN)))
                .param("refresh",
                        cipher.encrypt(connection.refreshToken(), CipherBinding.connection(id, REFRESH_TOKEN)))
                .param("accessExp", ts(connection.accessExpiresAt()))
                .param("refreshExp", ts(connection.refreshExpiresAt()))
                .param("next", ts(connection.nextRefreshAt()))
                .param("now", ts(now))
                .query((rs, n) -> new Registered(rs.getObject("id", UUID.class), rs.getLong("refresh_fence"),
                        instant(rs, "next_refresh_at"), rs.getBoolean("created")))
                .optional();
    }

    public Optional<ConnectionView> find(UUID id) {
        return repository.findById(id).map(ConnectionRow::toView);
    }

    /** The decrypted tokens of a connection; for the access-token API and for tests that compare with the provider. */
    public Optional<StoredTokens> tokens(UUID id) {
        return repository.findById(id).map(row -> new StoredTokens(row.id(),
                row.realmIdEnc() == null
                        ? null
                        : cipher.decrypt(row.realmIdEnc(), CipherBinding.connection(row.id(), REALM_ID)),
                cipher.decrypt(row.accessTokenEnc(), CipherBinding.connection(row.id(), ACCESS_TOKEN)),
                cipher.decrypt(row.refreshTokenEnc(), CipherBinding.connection(row.id(), REFRESH_TOKEN)),
                row.accessExpiresAt()));
    }

    /**
     * Takes the single-flight lease on a connection if the message's fence is current, the connection is ACTIVE and
     * nobody else holds a live lease. Expired access tokens are claimed like any other: the refresh token still works.
     */
    public ClaimResult claim(UUID id, long fence, String worker, Instant now, Duration lease) {
        return claimAll(List.of(new ClaimRequest(id, fence, worker, now, lease))).getFirst();
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
        return jdbc.sql("""
                UPDATE connection SET lease_owner = :worker, lease_until = :leaseUntil, updated_at = :now
                WHERE id = :id AND refresh_fence = :fence AND status = 'ACTIVE'
                  AND (lease_until IS NULL OR lease_until <= :now)
                RETURNING tenant_id, provider, refresh_token_enc, access_expires_at, refresh_expires_at,
                          consecutive_failures, first_failure_at
                """)
                .param("worker", request.worker())
                .param("leaseUntil", ts(request.leaseUntil()))
                .param("now", ts(request.now()))
                .param("id", request.connectionId())
                .param("fence", request.fence())
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
        Object[] leaseUntils = new Object[n];
        Object[] nows = new Object[n];
        for (int i = 0; i < n; i++) {
            ClaimRequest request = requests.get(i);
            ids[i] = request.connectionId();
            fences[i] = request.fence();
            workers[i] = request.worker();
            leaseUntils[i] = ts(request.leaseUntil());
            nows[i] = ts(request.now());
        }
        jdbc.sql(
                """
                        WITH request AS (
                            -- of duplicates, the first in the list takes part (an UPDATE joined to two rows uses either)
                            SELECT DISTINCT ON (id, fence) *
                            FROM unnest(:ids::uuid[], :fences::bigint[], :workers::text[], :leaseUntils::timestamptz[],
                                        :nows::timestamptz[])
                                WITH ORDINALITY AS r(id, fence, worker, lease_until, now, ord)
                            ORDER BY id, fence, ord)
                        UPDATE connection c SET lease_owner = r.worker, lease_until = r.lease_until, updated_at = r.now
                        FROM request r
                        WHERE c.id = r.id AND c.refresh_fence = r.fence AND c.status = 'ACTIVE'
                          AND (c.lease_until IS NULL OR c.lease_until <= r.now)
                        RETURNING r.ord, c.tenant_id, c.provider, c.refresh_token_enc, c.access_expires_at, c.refresh_expires_at,
                                  c.consecutive_failures, c.first_failure_at
                        """)
                .param("ids", PgArray.of("uuid", ids))
                .param("fences", PgArray.of("int8", fences))
                .param("workers", PgArray.of("text", workers))
                .param("leaseUntils", PgArray.of("timestamptz", leaseUntils))
                .param("nows", PgArray.of("timestamptz", nows))
                .query((RowCallbackHandler) rs -> {
                    int index = rs.getInt("ord") - 1;
                    results[index] = claimed(rs, requests.get(index));
                });
    }

    private ClaimResult.Claimed claimed(ResultSet rs, ClaimRequest request) throws SQLException {
        UUID id = request.connectionId();
        byte[] ciphertext = rs.getBytes("refresh_token_enc");
        return new ClaimResult.Claimed(new Claim(id, rs.getString("tenant_id"), rs.getString("provider"), request
                .fence(), request.worker(), request.leaseUntil(),
                cipher.decrypt(ciphertext, CipherBinding.connection(
                        id, REFRESH_TOKEN)),
                ciphertext, instant(rs, "access_expires_at"), instant(rs,
                        "refresh_expires_at"),
                rs.getInt("consecutive_failures"), instant(rs,
                        "first_failure_at")));
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
                SELECT id, refresh_fence, status, lease_owner, lease_until FROM connection WHERE id = ANY(:ids::uuid[])
                """)
                .param("ids", PgArray.of("uuid", unclaimed.toArray()))
                .query((RowCallbackHandler) rs -> states.put(rs.getObject("id", UUID.class), new ClaimState(rs.getLong(
                        "refresh_fence"), ConnectionStatus.valueOf(rs.getString("status")),
                        rs.getString(
                                "lease_owner"),
                        instant(rs, "lease_until"))));
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                ClaimRequest request = requests.get(i);
                ClaimState state = states.get(request.connectionId());
                results[i] = state == null ? new ClaimResult.NotFound() : state.explain(request.fence());
            }
        }
    }

    /** What a claim that got no lease found. */
    private record ClaimState(long fence, ConnectionStatus status, String leaseOwner, Instant leaseUntil) {

        ClaimResult explain(long requestedFence) {
            if (fence != requestedFence) {
                return new ClaimResult.StaleFence(fence);
            }
            if (status != ConnectionStatus.ACTIVE) {
                return new ClaimResult.NotActive(status);
            }
            return new ClaimResult.Leased(leaseOwner, leaseUntil);
        }
    }

    /**
     * Stores a refresh's result and schedules the next one, in one statement, if the refresh token the claim used is
     * still the stored one. The fence is not required to match: a sweep may have re-enqueued the connection while the
     * provider answered, and the rotated token must be kept all the same.
     *
     * @return the new fence, for the next message; empty if another actor stored a newer token meanwhile
     */
    public OptionalLong storeRefreshed(Claim claim, RefreshedTokens tokens, Instant nextRefreshAt, Instant now,
            AttemptRecord attempt) {
        return storeAllRefreshed(List.of(new RefreshToStore(claim, tokens, nextRefreshAt, now, attempt))).getFirst();
    }

    /**
     * {@link #storeRefreshed} for many refreshes in one statement (and one transaction: all are stored, or none).
     *
     * @return one new fence per refresh, in the list's order; empty where another actor stored a newer token meanwhile
     */
    public List<OptionalLong> storeAllRefreshed(List<RefreshToStore> refreshes) {
        if (refreshes.size() == 1) {
            return List.of(storeOne(refreshes.getFirst()));
        }
        int n = refreshes.size();
        Object[] ids = new Object[n];
        // byte[][], not Object[]: the driver encodes a bytea[] only from the former
        byte[][] consumed = new byte[n][];
        byte[][] access = new byte[n][];
        byte[][] refresh = new byte[n][];
        Object[] accessExp = new Object[n];
        Object[] refreshExp = new Object[n];
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
            refreshExp[i] = ts(tokens.refreshExpiresAt());
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
        OptionalLong[] fences = new OptionalLong[n];
        Arrays.fill(fences, OptionalLong.empty());
        jdbc.sql(
                """
                        WITH request AS (
                            SELECT * FROM unnest(:ids::uuid[], :consumed::bytea[], :access::bytea[], :refresh::bytea[],
                                                 :accessExp::timestamptz[], :refreshExp::timestamptz[], :next::timestamptz[],
                                                 :nows::timestamptz[], :claimFences::bigint[], :attemptedAt::timestamptz[],
                                                 :outcomes::text[], :httpStatuses::int[], :errorCodes::text[], :durations::int[],
                                                 :workers::text[])
                                WITH ORDINALITY AS r(id, consumed, access, refresh, access_exp, refresh_exp, next, now, claim_fence,
                                                     attempted_at, outcome, http_status, error_code, duration, worker, ord)),
                        updated AS (
                            UPDATE connection c SET access_token_enc = r.access, refresh_token_enc = r.refresh,
                                   access_expires_at = r.access_exp, refresh_expires_at = r.refresh_exp, next_refresh_at = r.next,
                                   refresh_fence = c.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                                   consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, last_refreshed_at = r.now,
                                   updated_at = r.now
                            FROM request r
                            WHERE c.id = r.id AND c.refresh_token_enc = r.consumed
                            RETURNING r.ord, c.id, c.refresh_fence, r.claim_fence, r.attempted_at, r.outcome, r.http_status,
                                      r.error_code, r.duration, r.worker),
                        attempt AS (
                            INSERT INTO refresh_attempt (connection_id, fence, attempted_at, outcome, http_status, error_code,
                                                         duration_ms, worker)
                            SELECT id, claim_fence, attempted_at, outcome, http_status, error_code, duration, worker FROM updated)
                        SELECT ord, refresh_fence FROM updated
                        """)
                .param("ids", PgArray.of("uuid", ids))
                .param("consumed", PgArray.of("bytea", consumed))
                .param("access", PgArray.of("bytea", access))
                .param("refresh", PgArray.of("bytea", refresh))
                .param("accessExp", PgArray.of("timestamptz", accessExp))
                .param("refreshExp", PgArray.of("timestamptz", refreshExp))
                .param("next", PgArray.of("timestamptz", next))
                .param("nows", PgArray.of("timestamptz", nows))
                .param("claimFences", PgArray.of("int8", claimFences))
                .param("attemptedAt", PgArray.of("timestamptz", attemptedAt))
                .param("outcomes", PgArray.of("text", outcomes))
                .param("httpStatuses", PgArray.of("int4", httpStatuses))
                .param("errorCodes", PgArray.of("text", errorCodes))
                .param("durations", PgArray.of("int4", durations))
                .param("workers", PgArray.of("text", workers))
                .query((RowCallbackHandler) rs -> fences[rs.getInt("ord") - 1] = OptionalLong.of(rs.getLong(
                        "refresh_fence")));
        return Arrays.asList(fences);
    }

    /** One refresh in the plain statement; see {@link #claimOne} for why. */
    private OptionalLong storeOne(RefreshToStore stored) {
        Claim claim = stored.claim();
        RefreshedTokens tokens = stored.tokens();
        return jdbc
                .sql("""
                        WITH updated AS (
                            UPDATE connection SET access_token_enc = :access, refresh_token_enc = :refresh,
                                   access_expires_at = :accessExp, refresh_expires_at = :refreshExp, next_refresh_at = :next,
                                   refresh_fence = refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                                   consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, last_refreshed_at = :now,
                                   updated_at = :now
                            WHERE id = :id AND refresh_token_enc = :consumed
                            RETURNING id, refresh_fence),
                        """
                        + RECORD_ATTEMPT_OF_UPDATED + """
                                SELECT refresh_fence FROM updated
                                """)
                .param("access", accessCiphertext(stored))
                .param("refresh", refreshCiphertext(stored))
                .param("accessExp", ts(tokens.accessExpiresAt()))
                .param("refreshExp", ts(tokens.refreshExpiresAt()))
                .param("next", ts(stored.nextRefreshAt()))
                .param("now", ts(stored.now()))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .param("claimFence", claim.fence())
                .params(attemptParams(stored.attempt()))
                .query((rs, n) -> rs.getLong(1))
                .optional()
                .map(OptionalLong::of)
                .orElseGet(OptionalLong::empty);
    }

    private byte[] accessCiphertext(RefreshToStore stored) {
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
                .param("error", truncate(reason))
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("consumed", claim.refreshTokenCiphertext())
                .param("claimFence", claim.fence())
                .params(attemptParams(attempt))
                .query(Long.class)
                .single() > 0;
    }

    /**
     * Gives up the lease after a failure that may pass, and schedules the retry with a new fence.
     *
     * @return the new fence; empty if the claim is no longer ours (another actor moved the connection on)
     */
    public OptionalLong rescheduleAfterFailure(Claim claim, String reason, Instant retryAt, Instant now,
            AttemptRecord attempt) {
        return failureUpdate(claim, reason, retryAt, now, attempt);
    }

    /**
     * Gives up the lease after a failure that retrying cannot fix (bad client credentials, too many attempts) and
     * parks the connection: still ACTIVE with its tokens untouched, but with no refresh scheduled, so the sweep leaves
     * it alone until an operator replays its dead letter.
     */
    public boolean park(Claim claim, String reason, Instant now, AttemptRecord attempt) {
        return failureUpdate(claim, reason, null, now, attempt).isPresent();
    }

    private OptionalLong failureUpdate(Claim claim, String reason, Instant nextRefreshAt, Instant now,
            AttemptRecord attempt) {
        return jdbc.sql("""
                WITH updated AS (
                    UPDATE connection SET next_refresh_at = :next, refresh_fence = refresh_fence + 1,
                           lease_owner = NULL, lease_until = NULL, consecutive_failures = consecutive_failures + 1,
                           last_error = :error, updated_at = :now
                    WHERE id = :id AND refresh_fence = :claimFence AND lease_owner = :worker
                    RETURNING id, refresh_fence),
                """ + RECORD_ATTEMPT_OF_UPDATED + """
                SELECT refresh_fence FROM updated
                """)
                .param("next", ts(nextRefreshAt))
                .param("error", truncate(reason))
                .param("now", ts(now))
                .param("id", claim.connectionId())
                .param("claimFence", claim.fence())
                .params(attemptParams(attempt))
                .query((rs, n) -> rs.getLong(1))
                .optional()
                .map(OptionalLong::of)
                .orElseGet(OptionalLong::empty);
    }

    /**
     * Gives up a claim without any effect on the connection: the provider was not called (its circuit breaker or rate
     * limiter said not now). No attempt or failure is counted; the message is re-delayed with the same fence.
     */
    public boolean releaseLease(Claim claim) {
        return jdbc.sql("""
                UPDATE connection SET lease_owner = NULL, lease_until = NULL
                WHERE id = :id AND refresh_fence = :fence AND lease_owner = :worker
                """)
                .param("id", claim.connectionId())
                .param("fence", claim.fence())
                .param("worker", claim.worker())
                .update() == 1;
    }

    /**
     * Restarts a connection's chain at once, for an operator's replay: a new fence (older messages become stale),
     * due now, status ACTIVE. A connection someone holds a live lease on, or a DISCONNECTED one, is left alone.
     *
     * @return the message to publish, once the caller's transaction committed; empty if the connection was left alone
     */
    public Optional<Rescheduled> rearm(UUID id, Instant now) {
        return makeDueNow(id, now, "status <> 'DISCONNECTED'", true);
    }

    /**
     * Makes an ACTIVE connection due now, for an operator's "refresh now": a new fence (the queued message becomes
     * stale) and {@code next_refresh_at = now}. Unlike {@link #rearm} it does not revive a connection that needs
     * re-authorization.
     *
     * @return the message to publish; empty if the connection is not ACTIVE, is leased right now, or does not exist
     */
    public Optional<Rescheduled> scheduleNow(UUID id, Instant now) {
        return makeDueNow(id, now, "status = 'ACTIVE'", false);
    }

    /** A new fence and due now, if the status guard holds and nobody holds a live lease. */
    private Optional<Rescheduled> makeDueNow(UUID id, Instant now, String statusGuard, boolean reactivate) {
        return jdbc.sql("UPDATE connection SET refresh_fence = refresh_fence + 1, next_refresh_at = :now, "
                + (reactivate ? "status = 'ACTIVE', " : "") + "updated_at = :now WHERE id = :id AND " + statusGuard
                + " AND (lease_until IS NULL OR lease_until <= :now) RETURNING id, provider, refresh_fence")
                .param("id", id)
                .param("now", ts(now))
                .query((rs, n) -> new Rescheduled(rs.getObject("id", UUID.class), rs.getString("provider"),
                        rs.getLong("refresh_fence"), now))
                .optional();
    }

    /**
     * Ends a connection at the host app's request: status DISCONNECTED, no refresh scheduled, a new fence (queued
     * messages become stale, a refresh in flight cannot store its result) and the tokens erased from the row.
     *
     * @return the refresh token the row held, for a revocation at the provider; empty if the connection does not exist
     *         or was disconnected already
     */
    public Optional<Disconnected> disconnect(UUID id, Instant now) {
        return transactions.execute(status -> jdbc.sql("""
                WITH previous AS (
                    SELECT id, refresh_token_enc FROM connection WHERE id = :id AND status <> 'DISCONNECTED'
                    FOR UPDATE)
                UPDATE connection c SET status = 'DISCONNECTED', next_refresh_at = NULL,
                       refresh_fence = c.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                       access_token_enc = '\\x'::bytea, refresh_token_enc = '\\x'::bytea, realm_id_enc = NULL,
                       updated_at = :now
                FROM previous WHERE c.id = previous.id
                RETURNING c.id, c.provider, previous.refresh_token_enc
                """)
                .param("id", id)
                .param("now", ts(now))
                .query((rs, n) -> new Disconnected(id, rs.getString("provider"), cipher.decrypt(rs.getBytes(
                        "refresh_token_enc"), CipherBinding.connection(id, REFRESH_TOKEN))))
                .optional());
    }

    /** Records a provider call whose result could not be applied (for example a superseded refresh). */
    public void recordAttempt(UUID connectionId, long fence, AttemptRecord attempt) {
        jdbc.sql("""
                INSERT INTO refresh_attempt (connection_id, fence, attempted_at, outcome, http_status, error_code,
                                             duration_ms, worker)
                VALUES (:id, :claimFence, :attemptedAt, :outcome, :httpStatus, :errorCode, :duration, :worker)
                """)
                .param("id", connectionId)
                .param("claimFence", fence)
                .params(attemptParams(attempt))
                .update();
    }

    /**
     * Re-enqueues lost chains: ACTIVE connections whose refresh is overdue by more than {@code grace} and that nobody
     * holds a lease on get a new fence and are due now. Runs only where this transaction wins PostgreSQL's advisory
     * lock, so that of several schedulers one sweeps at a time.
     *
     * @return the connections to publish a message for, after this method returned (the transaction is committed);
     *         empty if another scheduler holds the lock
     */
    public SweepResult rescheduleOverdue(Instant now, Duration grace, int limit) {
        return transactions.execute(status -> {
            boolean leader = jdbc.sql("SELECT pg_try_advisory_xact_lock(:key)")
                    .param("key", SWEEP_LOCK_KEY)
                    .query(Boolean.class)
                    .single();
            if (!leader) {
                return new SweepResult(false, List.of());
            }
            List<Rescheduled> rescheduled = jdbc
                    .sql("""
                            WITH due AS (
                                SELECT id FROM connection
                                WHERE status = 'ACTIVE' AND next_refresh_at < :cutoff
                                  AND (lease_until IS NULL OR lease_until <= :now)
                                ORDER BY next_refresh_at
                                LIMIT :limit
                                FOR UPDATE SKIP LOCKED)
                            UPDATE connection c SET refresh_fence = c.refresh_fence + 1, next_refresh_at = :now, updated_at = :now
                            FROM due WHERE c.id = due.id
                            RETURNING c.id, c.provider, c.refresh_fence
                            """)
                    .param("cutoff", ts(now.minus(grace)))
                    .param("now", ts(now))
                    .param("limit", limit)
                    .query((rs, n) -> new Rescheduled(rs.getObject("id", UUID.class), rs.getString("provider"),
                            rs.getLong("refresh_fence"), now))
                    .list();
            return new SweepResult(true, rescheduled);
        });
    }

    /** @param leader whether this sweep held the advisory lock */
    public record SweepResult(boolean leader, List<Rescheduled> rescheduled) {
    }

    private static Map<String, Object> attemptParams(AttemptRecord attempt) {
        Map<String, Object> params = new HashMap<>();
        params.put("attemptedAt", ts(attempt.attemptedAt()));
        params.put("outcome", attempt.outcome().name());
        params.put("httpStatus", attempt.httpStatus());
        params.put("errorCode", attempt.errorCode());
        params.put("duration", durationMillis(attempt));
        params.put("worker", attempt.worker());
        return params;
    }

    private static int durationMillis(AttemptRecord attempt) {
        return (int) Math.min(Integer.MAX_VALUE, attempt.duration().toMillis());
    }

    private static String truncate(String reason) {
        return reason == null || reason.length() <= LAST_ERROR_MAX ? reason : reason.substring(0, LAST_ERROR_MAX);
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
