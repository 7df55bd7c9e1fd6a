package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.connection.DeadLetterColumns;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.messaging.DeadLetter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code dead_letter} table. */
@Repository
class DeadLetterRecords {

    private static final String COLUMNS = "id, message_id, reason, error_code, detail, provider, connection_id, "
            + "attempts, http_status, first_failure_at, last_failure_at, worker, received_at, replayed_at, resolved_at, "
            + "truncated";

    private final JdbcClient jdbc;

    DeadLetterRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Archives a dead letter. One that ended a chain ({@link ChainEnds#REASONS}) for a connection that is ACTIVE again
     * by now is archived resolved: the connection was revived (a late store of the tokens the provider had rotated
     * for us) or reconnected in between; letters archived before that are resolved by the revival itself.
     *
     * <p>A letter archived already (same message, connection and reason) is skipped: the relay's copy of a letter whose
     * sender died between the broker's confirm and forgetting it ({@link PendingDeadLetters}).
     *
     * @param letter fitted to the columns already ({@link ArchivedFields#fit})
     * @param truncated whether fitting it cut a field
     * @return the new letter's id; empty if it was archived already
     */
    OptionalLong insert(DeadLetter letter, boolean truncated, Instant receivedAt) {
        return jdbc
                .sql("""
                        INSERT INTO dead_letter (message_id, reason, error_code, detail, provider, connection_id, attempts,
                                                 http_status, first_failure_at, last_failure_at, worker, body, received_at,
                                                 resolved_at, truncated)
                        -- typed: in a SELECT, unlike in VALUES, a null parameter takes no type from its column
                        SELECT CAST(:messageId AS varchar), CAST(:reason AS varchar), CAST(:errorCode AS varchar),
                               CAST(:detail AS varchar), CAST(:provider AS varchar), CAST(:connectionId AS uuid),
                               CAST(:attempts AS integer), CAST(:httpStatus AS integer),
                               CAST(:firstFailureAt AS timestamptz), CAST(:lastFailureAt AS timestamptz),
                               CAST(:worker AS varchar), CAST(:body AS bytea), CAST(:receivedAt AS timestamptz),
                               CASE WHEN :reason IN (:chainEnds) AND EXISTS (SELECT 1 FROM connection c
                                                                             WHERE c.id = :connectionId AND c.status = 'ACTIVE')
                                    THEN CAST(:receivedAt AS timestamptz) END, CAST(:truncated AS boolean)
                        WHERE NOT EXISTS (SELECT 1 FROM dead_letter d
                                          WHERE d.message_id = :messageId AND d.connection_id = :connectionId
                                            AND d.reason = :reason)
                        RETURNING id
                        """)
                .param("chainEnds", ChainEnds.REASONS)
                .params(DeadLetterColumns.of(letter))
                .param("receivedAt", ts(receivedAt))
                .param("truncated", truncated)
                .query(Long.class)
                .optional()
                .map(OptionalLong::of)
                .orElseGet(OptionalLong::empty);
    }

    /** Oldest first, after the cursor {@code afterId}, at most {@code limit}. */
    List<DeadLetterRecord> find(DeadLetterFilter filter, long afterId, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        String where = where(filter, params) + " AND id > :afterId";
        params.addValue("afterId", afterId).addValue("limit", limit);
        return jdbc.sql("SELECT " + COLUMNS + " FROM dead_letter WHERE " + where + " ORDER BY id LIMIT :limit")
                .paramSource(params)
                .query((rs, n) -> record(rs))
                .list();
    }

    List<DeadLetterRecord> findByIds(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM dead_letter WHERE id IN (:ids) ORDER BY id")
                .param("ids", ids)
                .query((rs, n) -> record(rs))
                .list();
    }

    Optional<DeadLetterRecord> findById(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM dead_letter WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> record(rs))
                .optional();
    }

    /** The original message body, as it arrived. */
    Optional<byte[]> body(long id) {
        return jdbc.sql("SELECT body FROM dead_letter WHERE id = :id").param("id", id).query(byte[].class).optional();
    }

    /** Deletes the dead letters the filter selects; returns how many. */
    int delete(DeadLetterFilter filter) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        return jdbc.sql("DELETE FROM dead_letter WHERE " + where(filter, params)).paramSource(params).update();
    }

    Map<String, Long> countByReason(boolean includeReplayed) {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.sql("SELECT reason, count(*) AS n FROM dead_letter"
                + (includeReplayed ? "" : " WHERE replayed_at IS NULL AND resolved_at IS NULL") + " GROUP BY reason")
                .query((ResultSet rs) -> {
                    counts.put(rs.getString("reason"), rs.getLong("n"));
                });
        return counts;
    }

    /** Marks dead letters replayed; returns the ids that were not replayed before (the ones to act on). */
    List<Long> markReplayed(List<Long> ids, Instant now) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("UPDATE dead_letter SET replayed_at = :now WHERE id IN (:ids) AND replayed_at IS NULL "
                + "RETURNING id")
                .param("now", ts(now))
                .param("ids", ids)
                .query(Long.class)
                .list();
    }

    private static String where(DeadLetterFilter filter, MapSqlParameterSource params) {
        List<String> conditions = new ArrayList<>(List.of("true"));
        if (filter.reason() != null) {
            conditions.add("reason = :reason");
            params.addValue("reason", filter.reason());
        }
        if (filter.provider() != null) {
            conditions.add("provider = :provider");
            params.addValue("provider", filter.provider());
        }
        if (filter.connectionId() != null) {
            conditions.add("connection_id = :connectionId");
            params.addValue("connectionId", filter.connectionId());
        }
        if (filter.since() != null) {
            conditions.add("received_at >= :since");
            params.addValue("since", ts(filter.since()));
        }
        if (!filter.includeReplayed()) {
            conditions.add("replayed_at IS NULL AND resolved_at IS NULL");
        }
        return String.join(" AND ", conditions);
    }

    private static DeadLetterRecord record(ResultSet rs) throws SQLException {
        Integer status = rs.getObject("http_status") == null ? null : rs.getInt("http_status");
        return new DeadLetterRecord(rs.getLong("id"), rs.getString("message_id"), rs.getString("reason"),
                rs.getString("error_code"), rs.getString("detail"), rs.getString("provider"),
                rs.getObject("connection_id", UUID.class), rs.getInt("attempts"), status,
                instant(rs, "first_failure_at"), instant(rs, "last_failure_at"), rs.getString("worker"),
                instant(rs, "received_at"), instant(rs, "replayed_at"), instant(rs, "resolved_at"), rs.getBoolean(
                        "truncated"));
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
