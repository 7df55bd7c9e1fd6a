package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.AttemptRows.attemptParams;
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
 * A connection's life outside the refresh path: registration (and reconnection), reads of its state and tokens, an
 * operator's "refresh now" and replay, and the disconnect. The refresh path's guarded writes live in
 * {@link ConnectionClaims} and {@link RefreshOutcomes}, the sweep's in {@link OverdueConnections}.
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
                                                access_expires_at, access_lifetime_seconds, refresh_expires_at,
                                                next_refresh_at, refresh_fence, consecutive_failures, created_at, updated_at,
                                                refresh_hard_expires_at)
                        VALUES (:id, :tenant, :provider, :realm, 'ACTIVE', :access, :refresh, :accessExp, :accessLifetime,
                                :refreshExp, :next, 1, 0, :now, :now, :hardExp)
                        ON CONFLICT (tenant_id, provider) DO UPDATE SET
                            realm_id_enc = EXCLUDED.realm_id_enc, status = 'ACTIVE', access_token_enc = EXCLUDED.access_token_enc,
                            refresh_token_enc = EXCLUDED.refresh_token_enc, access_expires_at = EXCLUDED.access_expires_at,
                            access_lifetime_seconds = EXCLUDED.access_lifetime_seconds,
                            refresh_expires_at = EXCLUDED.refresh_expires_at, next_refresh_at = EXCLUDED.next_refresh_at,
                            refresh_fence = connection.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                            consecutive_failures = 0, first_failure_at = NULL, last_error = NULL, answer_lost_at = NULL, quiet_until = NULL,
                            refresh_hard_expires_at = EXCLUDED.refresh_hard_expires_at, reauth_warned_days = NULL,
                            updated_at = EXCLUDED.updated_at
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
                .param("accessLifetime", Timestamps.seconds(connection.accessLifetime()))
                .param("refreshExp", ts(connection.refreshExpiresAt()))
                .param("next", ts(connection.nextRefreshAt()))
                .param("hardExp", ts(connection.refreshHardExpiresAt()))
                .param("now", ts(now))
                .query((rs, n) -> new Registered(rs.getObject("id", UUID.class), rs.getLong("refresh_fence"),
                        instant(rs, "next_refresh_at"), rs.getBoolean("created")))
                .optional();
    }

    public Optional<ConnectionView> find(UUID id) {
        return repository.findById(id).map(ConnectionRow::toView);
    }

    /**
     * How the host app disconnected the connection: with or without revoking its refresh token at the provider; empty
     * if it is not disconnected (or unknown).
     */
    public Optional<Disconnection> disconnection(UUID id) {
        return jdbc.sql("SELECT revoke_requested FROM connection WHERE id = :id AND status = 'DISCONNECTED'")
                .param("id", id)
                .query((rs, n) -> new Disconnection(rs.getBoolean("revoke_requested")))
                .optional();
    }

    /** @param revokeRequested whether the disconnect revoked the refresh token at the provider */
    public record Disconnection(boolean revokeRequested) {
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

    /**
     * Gives a connection a new fence at the due time it has, if its fence is still {@code expectedFence}, it is ACTIVE
     * with a refresh scheduled, and nobody holds its lease: for a redelivered message one fence behind, whose earlier
     * handler recorded the refresh's outcome (and so moved the fence) but may have died before it published the next
     * message. If that message went out after all, the new fence makes it stale.
     *
     * @return the message to publish; empty if the connection moved on or is not waiting for a message
     */
    public Optional<Rescheduled> republish(UUID id, long expectedFence, Instant now) {
        return jdbc.sql("""
                UPDATE connection SET refresh_fence = refresh_fence + 1, updated_at = :now
                WHERE id = :id AND refresh_fence = :fence AND status = 'ACTIVE' AND next_refresh_at IS NOT NULL
                  AND (lease_until IS NULL OR lease_until <= statement_timestamp())
                RETURNING id, provider, refresh_fence, next_refresh_at
                """)
                .param("id", id)
                .param("fence", expectedFence)
                .param("now", ts(now))
                .query((rs, n) -> new Rescheduled(rs.getObject("id", UUID.class), rs.getString("provider"),
                        rs.getLong("refresh_fence"), instant(rs, "next_refresh_at")))
                .optional();
    }

    /**
     * A new fence and due now, if the status guard holds and nobody holds a live lease (by the database's clock; the
     * due time is this app's).
     */
    private Optional<Rescheduled> makeDueNow(UUID id, Instant now, String statusGuard, boolean reactivate) {
        return jdbc.sql("UPDATE connection SET refresh_fence = refresh_fence + 1, next_refresh_at = :now, "
                + (reactivate ? "status = 'ACTIVE', " : "") + "updated_at = :now WHERE id = :id AND " + statusGuard
                + " AND (lease_until IS NULL OR lease_until <= statement_timestamp())"
                + " RETURNING id, provider, refresh_fence")
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
     * @param revoke whether the caller revokes the refresh token at the provider: recorded, so that a refresh in flight
     *            that lands later revokes the token it was issued too
     * @return the refresh token the row held, for a revocation at the provider; empty if the connection does not exist
     *         or was disconnected already
     */
    public Optional<Disconnected> disconnect(UUID id, Instant now, boolean revoke) {
        return transactions.execute(status -> jdbc.sql("""
                WITH previous AS (
                    SELECT id, refresh_token_enc FROM connection WHERE id = :id AND status <> 'DISCONNECTED'
                    FOR UPDATE)
                UPDATE connection c SET status = 'DISCONNECTED', next_refresh_at = NULL,
                       refresh_fence = c.refresh_fence + 1, lease_owner = NULL, lease_until = NULL,
                       access_token_enc = '\\x'::bytea, refresh_token_enc = '\\x'::bytea, realm_id_enc = NULL,
                       revoke_requested = :revoke, updated_at = :now
                FROM previous WHERE c.id = previous.id
                RETURNING c.id, c.provider, previous.refresh_token_enc
                """)
                .param("id", id)
                .param("now", ts(now))
                .param("revoke", revoke)
                .query((rs, n) -> new Disconnected(id, rs.getString("provider"), lastRefreshToken(id, rs.getBytes(
                        "refresh_token_enc"))))
                .optional());
    }

    /**
     * The refresh token a disconnect erased, for its revocation; {@code null} if no configured key opens it: the tenant
     * must still be able to disconnect a connection parked as undecryptable (there is nothing to revoke with).
     */
    private String lastRefreshToken(UUID id, byte[] ciphertext) {
        try {
            return cipher.decrypt(ciphertext, CipherBinding.connection(id, REFRESH_TOKEN));
        } catch (TokenDecryptionException e) {
            return null;
        }
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
}
