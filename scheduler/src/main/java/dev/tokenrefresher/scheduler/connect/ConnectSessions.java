package dev.tokenrefresher.scheduler.connect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code connect_session} table. Every step is one guarded UPDATE that moves a session forward from the one status
 * it must be in, so two browsers (or a replayed callback) racing on one link or one state get one winner.
 */
@Repository
class ConnectSessions {

    private static final String COLUMNS = """
            id, tenant_id, provider, connection_id, reconnect, return_url, scopes, code_verifier_enc, status, error,
            created_at, expires_at, opened_at, finished_at
            """;

    private final JdbcClient jdbc;

    ConnectSessions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(ConnectSession session, byte[] linkHash) {
        jdbc.sql("""
                INSERT INTO connect_session (id, link_hash, tenant_id, provider, connection_id, reconnect, return_url,
                                             scopes, status, created_at, expires_at)
                VALUES (:id, :link, :tenant, :provider, :connection, :reconnect, :returnUrl, :scopes, 'CREATED',
                        :created, :expires)
                """)
                .param("id", session.id())
                .param("link", linkHash)
                .param("tenant", session.tenantId())
                .param("provider", session.provider())
                .param("connection", session.connectionId())
                .param("reconnect", session.reconnect())
                .param("returnUrl", session.returnUrl())
                .param("scopes", String.join(" ", session.scopes()))
                .param("created", ts(session.createdAt()))
                .param("expires", ts(session.expiresAt()))
                .update();
    }

    Optional<ConnectSession> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connect_session WHERE id = :id").param("id", id)
                .query(ConnectSessions::session).optional();
    }

    Optional<ConnectSession> findByLink(byte[] linkHash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connect_session WHERE link_hash = :hash").param("hash", linkHash)
                .query(ConnectSessions::session).optional();
    }

    Optional<ConnectSession> findByState(byte[] stateHash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM connect_session WHERE state_hash = :hash")
                .param("hash", stateHash)
                .query(ConnectSessions::session).optional();
    }

    /**
     * CREATED to OPENED, with the state's hash and the encrypted verifier, if the link was not opened before and has not
     * expired.
     */
    boolean open(UUID id, byte[] stateHash, byte[] codeVerifier, Instant now) {
        return jdbc.sql("""
                UPDATE connect_session SET status = 'OPENED', state_hash = :state, code_verifier_enc = :verifier,
                                           opened_at = :now
                WHERE id = :id AND status = 'CREATED' AND expires_at > :now
                """)
                .param("state", stateHash)
                .param("verifier", codeVerifier)
                .param("now", ts(now))
                .param("id", id)
                .update() == 1;
    }

    /** OPENED to EXCHANGING, if the state was not used before and has not expired. */
    boolean beginExchange(UUID id, Instant now) {
        return jdbc.sql("""
                UPDATE connect_session SET status = 'EXCHANGING'
                WHERE id = :id AND status = 'OPENED' AND expires_at > :now
                """)
                .param("id", id)
                .param("now", ts(now))
                .update() == 1;
    }

    /** EXCHANGING to COMPLETED; the verifier is dropped, it has served. */
    void complete(UUID id, UUID connectionId, Instant now) {
        jdbc.sql("""
                UPDATE connect_session SET status = 'COMPLETED', connection_id = :connection, code_verifier_enc = NULL,
                                           finished_at = :now
                WHERE id = :id AND status = 'EXCHANGING'
                """)
                .param("connection", connectionId)
                .param("now", ts(now))
                .param("id", id)
                .update();
    }

    /** Any unfinished status to FAILED with its reason; a finished session keeps how it finished. */
    boolean fail(UUID id, String error, Instant now) {
        return jdbc.sql("""
                UPDATE connect_session SET status = 'FAILED', error = :error, code_verifier_enc = NULL,
                                           finished_at = :now
                WHERE id = :id AND status IN ('CREATED', 'OPENED', 'EXCHANGING')
                """)
                .param("error", error)
                .param("now", ts(now))
                .param("id", id)
                .update() == 1;
    }

    /** Deletes sessions that expired before {@code before}, finished or not. */
    int purgeExpiredBefore(Instant before) {
        return jdbc.sql("DELETE FROM connect_session WHERE expires_at < :before").param("before", ts(before))
                .update();
    }

    private static ConnectSession session(ResultSet rs, int row) throws SQLException {
        String scopes = rs.getString("scopes");
        return new ConnectSession(rs.getObject("id", UUID.class), rs.getString("tenant_id"), rs.getString("provider"),
                rs.getObject("connection_id", UUID.class), rs.getBoolean("reconnect"), rs.getString("return_url"),
                scopes.isEmpty() ? List.of() : Arrays.asList(scopes.split(" ")), rs.getBytes("code_verifier_enc"),
                ConnectSession.Status.valueOf(rs.getString("status")), rs.getString("error"),
                instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "opened_at"),
                instant(rs, "finished_at"));
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
