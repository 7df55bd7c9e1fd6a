package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.Timestamps.instant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Read-only questions operators ask about connections: lists with filters, recent attempts. Never a token. */
public class ConnectionQueries {

    private static final String VIEW_COLUMNS = "id, tenant_id, provider, status, access_expires_at, access_lifetime_seconds, "
            + "refresh_expires_at, refresh_hard_expires_at, next_refresh_at, refresh_fence, consecutive_failures, last_error, last_refreshed_at, "
            + "created_at, updated_at";

    private final JdbcClient jdbc;

    ConnectionQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Which connections a list is about; {@code null} fields do not filter.
     *
     * @param tenantId the host app's tenant id, exact
     * @param reauthDueWithin ACTIVE connections whose refresh token dies (the earlier of its expiry and its hard cap)
     *            within this time from now, by PostgreSQL's clock
     */
    public record Filter(String provider, ConnectionStatus status, String tenantId, Duration reauthDueWithin) {

        public Filter(String provider, ConnectionStatus status, String tenantId) {
            this(provider, status, tenantId, null);
        }
    }

    /**
     * One page of connections in id order.
     *
     * @param after the last id of the previous page (the cursor), {@code null} for the first page
     */
    public List<ConnectionView> list(Filter filter, UUID after, int limit) {
        List<String> conditions = new ArrayList<>(List.of("true"));
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit);
        if (filter.provider() != null) {
            conditions.add("provider = :provider");
            params.addValue("provider", filter.provider());
        }
        if (filter.status() != null) {
            conditions.add("status = :status");
            params.addValue("status", filter.status().name());
        }
        if (filter.tenantId() != null) {
            conditions.add("tenant_id = :tenantId");
            params.addValue("tenantId", filter.tenantId());
        }
        if (filter.reauthDueWithin() != null) {
            // the expression of connection_reauth_due_idx (LEAST ignores a NULL)
            conditions.add("status = 'ACTIVE' AND LEAST(refresh_expires_at, refresh_hard_expires_at) "
                    + "<= statement_timestamp() + :reauthDueWithinSeconds * interval '1 second'");
            params.addValue("reauthDueWithinSeconds", filter.reauthDueWithin().toSeconds());
        }
        if (after != null) {
            conditions.add("id > :after");
            params.addValue("after", after);
        }
        return jdbc.sql("SELECT " + VIEW_COLUMNS + " FROM connection WHERE " + String.join(" AND ", conditions)
                + " ORDER BY id LIMIT :limit")
                .paramSource(params)
                .query((rs, n) -> view(rs))
                .list();
    }

    /** How many connections a provider has in a status. */
    public record StatusCount(String provider, ConnectionStatus status, long connections) {
    }

    /** Connections counted by provider and status (one pass over the table). */
    public List<StatusCount> countByProviderAndStatus() {
        return jdbc.sql("SELECT provider, status, count(*) AS n FROM connection GROUP BY provider, status")
                .query((rs, n) -> new StatusCount(rs.getString("provider"), ConnectionStatus.valueOf(rs.getString(
                        "status")), rs.getLong("n")))
                .list();
    }

    /** The latest provider calls for a connection, newest first. */
    public List<AttemptRecord> recentAttempts(UUID connectionId, int limit) {
        return jdbc.sql("""
                SELECT attempted_at, outcome, http_status, error_code, duration_ms, worker FROM refresh_attempt
                WHERE connection_id = :id ORDER BY attempted_at DESC, id DESC LIMIT :limit
                """)
                .param("id", connectionId)
                .param("limit", limit)
                .query((rs, n) -> new AttemptRecord(instant(rs, "attempted_at"), AttemptOutcome.valueOf(rs.getString(
                        "outcome")), (Integer) rs.getObject("http_status"), rs.getString("error_code"), Duration
                                .ofMillis(rs.getLong("duration_ms")),
                        rs.getString("worker")))
                .list();
    }

    private static ConnectionView view(ResultSet rs) throws SQLException {
        return new ConnectionView(rs.getObject("id", UUID.class), rs.getString("tenant_id"), rs.getString("provider"),
                ConnectionStatus.valueOf(rs.getString("status")), instant(rs, "access_expires_at"),
                (Integer) rs.getObject("access_lifetime_seconds"), instant(rs, "refresh_expires_at"),
                instant(rs, "refresh_hard_expires_at"), instant(rs, "next_refresh_at"), rs.getLong("refresh_fence"), rs
                        .getInt("consecutive_failures"),
                rs.getString("last_error"), instant(rs,
                        "last_refreshed_at"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
