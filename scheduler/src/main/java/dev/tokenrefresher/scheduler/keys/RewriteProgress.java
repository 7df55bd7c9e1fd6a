package dev.tokenrefresher.scheduler.keys;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The re-encryption job's progress row ({@code key_rewrite_progress}, V10). */
@Component
class RewriteProgress {

    static final UUID START = new UUID(0, 0);

    private final JdbcClient jdbc;

    RewriteProgress(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The progress, locked for this transaction; empty if another scheduler's batch holds it. A pass that completed, or
     * aimed at another header, is restarted from the first connection.
     */
    Optional<Pass> lockForBatch(byte[] header, Instant now) {
        jdbc.sql("""
                INSERT INTO key_rewrite_progress (target_header, cursor_id, pass_started_at, updated_at)
                VALUES (:header, :start, :now, :now) ON CONFLICT (id) DO NOTHING
                """)
                .param("header", header)
                .param("start", START)
                .param("now", ts(now))
                .update();
        Optional<Pass> locked = jdbc.sql("SELECT * FROM key_rewrite_progress WHERE id = 1 FOR UPDATE SKIP LOCKED")
                .query((rs, n) -> pass(rs))
                .optional();
        return locked.map(pass -> {
            if (pass.completedAt() == null && Arrays.equals(pass.targetHeader(), header)) {
                return pass;
            }
            jdbc.sql("""
                    UPDATE key_rewrite_progress SET target_header = :header, cursor_id = :start, pass_started_at = :now,
                           pass_completed_at = NULL, rewritten = 0, left_for_next_pass = 0, undecryptable = 0,
                           updated_at = :now
                    WHERE id = 1
                    """)
                    .param("header", header)
                    .param("start", START)
                    .param("now", ts(now))
                    .update();
            return new Pass(header, START, now, null, 0, 0, 0, pass.rowsOutside(), now);
        });
    }

    /** Records a batch: the cursor moves to its last row, its counts are added. */
    void advance(UUID cursor, long rewritten, long left, long undecryptable, Instant now) {
        jdbc.sql("""
                UPDATE key_rewrite_progress SET cursor_id = :cursor, rewritten = rewritten + :rewritten,
                       left_for_next_pass = left_for_next_pass + :left, undecryptable = undecryptable + :undecryptable,
                       updated_at = :now
                WHERE id = 1
                """)
                .param("cursor", cursor)
                .param("rewritten", rewritten)
                .param("left", left)
                .param("undecryptable", undecryptable)
                .param("now", ts(now))
                .update();
    }

    void complete(long rowsOutside, Instant now) {
        jdbc.sql("""
                UPDATE key_rewrite_progress SET pass_completed_at = :now, rows_outside = :outside, updated_at = :now
                WHERE id = 1
                """)
                .param("outside", rowsOutside)
                .param("now", ts(now))
                .update();
    }

    /** The progress as it is, without waiting for a batch that holds it. */
    Optional<Pass> read() {
        return jdbc.sql("SELECT * FROM key_rewrite_progress WHERE id = 1").query((rs, n) -> pass(rs)).optional();
    }

    private static Pass pass(ResultSet rs) throws SQLException {
        return new Pass(rs.getBytes("target_header"), rs.getObject("cursor_id", UUID.class), instant(rs,
                "pass_started_at"), instant(rs, "pass_completed_at"), rs.getLong("rewritten"),
                rs.getLong(
                        "left_for_next_pass"),
                rs.getLong("undecryptable"), rs.getObject("rows_outside", Long.class), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * A pass of the job.
     *
     * @param rowsOutside rows holding a value outside the target header when the last pass completed; {@code null}
     *            before any did
     */
    record Pass(byte[] targetHeader, UUID cursor, Instant startedAt, Instant completedAt, long rewritten,
            long leftForNextPass, long undecryptable, Long rowsOutside, Instant updatedAt) {

        /** Format and key id of the target header, e.g. {@code 2/k2}. */
        String target() {
            if (targetHeader.length < 2) {
                return HexFormat.of().formatHex(targetHeader);
            }
            return targetHeader[0] + "/" + new String(targetHeader, 2, targetHeader.length - 2,
                    StandardCharsets.US_ASCII);
        }
    }
}
