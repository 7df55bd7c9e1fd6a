package dev.tokenrefresher.scheduler.reauth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code reauth_warned_days} column: which warnings a connection's current authorization has had. Each statement
 * claims the rows it warns for, so several schedulers never warn twice.
 */
@Repository
class ReauthWarnings {

    /** The expression of {@code connection_reauth_due_idx}: the refresh token dies at the earlier of the two. */
    private static final String DIES_AT = "LEAST(refresh_expires_at, refresh_hard_expires_at)";

    private final JdbcClient jdbc;

    ReauthWarnings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A connection to warn.
     *
     * @param hardCapFirst whether the hard cap, not the rolling expiry, ends the chain first
     */
    record Due(UUID connectionId, String tenantId, String provider, Instant diesAt, boolean hardCapFirst) {
    }

    /**
     * Marks up to {@code limit} ACTIVE connections whose refresh token dies within {@code days} days and that had no
     * warning at this threshold or a nearer one, and answers them.
     */
    List<Due> claim(int days, int limit) {
        return jdbc.sql("""
                WITH due AS (
                    -- no ORDER BY: with one, the planner may walk the primary key over the whole table for a few rows
                    SELECT id FROM connection
                    WHERE status = 'ACTIVE' AND %s <= statement_timestamp() + :days * interval '1 day'
                      AND (reauth_warned_days IS NULL OR reauth_warned_days > :days)
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED)
                UPDATE connection c SET reauth_warned_days = :days FROM due WHERE c.id = due.id
                RETURNING c.id, c.tenant_id, c.provider, c.refresh_expires_at, c.refresh_hard_expires_at
                """.formatted(DIES_AT))
                .param("days", days)
                .param("limit", limit)
                .query(ReauthWarnings::due)
                .list();
    }

    /**
     * Forgets the warnings of connections whose refresh token no longer dies within the warned window (refreshes
     * resumed and extended a rolling expiry, or the provider reported a later cap), so that they are warned again when
     * the time comes.
     *
     * @return how many were forgotten
     */
    int forgetPassed() {
        return jdbc.sql("""
                UPDATE connection SET reauth_warned_days = NULL
                WHERE reauth_warned_days IS NOT NULL
                  AND (%s IS NULL OR %s > statement_timestamp() + reauth_warned_days * interval '1 day')
                """.formatted(DIES_AT, DIES_AT))
                .update();
    }

    /** ACTIVE connections whose refresh token dies within {@code days} days. */
    long countDueWithin(int days) {
        return jdbc.sql("""
                SELECT count(*) FROM connection
                WHERE status = 'ACTIVE' AND %s <= statement_timestamp() + :days * interval '1 day'
                """.formatted(DIES_AT))
                .param("days", days)
                .query(Long.class)
                .single();
    }

    private static Due due(ResultSet rs, int row) throws SQLException {
        Instant rolling = instant(rs.getTimestamp("refresh_expires_at"));
        Instant hard = instant(rs.getTimestamp("refresh_hard_expires_at"));
        boolean hardFirst = hard != null && (rolling == null || !hard.isAfter(rolling));
        return new Due(rs.getObject("id", UUID.class), rs.getString("tenant_id"), rs.getString("provider"),
                hardFirst ? hard : rolling, hardFirst);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
