package dev.tokenrefresher.scheduler.attempts;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The old end of the attempt log. Rows are found by their id, not by {@code attempted_at}: the identity grows with
 * every insert and attempts are written when they end, so id order is time order to within a refresh's lease, and the
 * primary key finds the oldest rows at once. An index on {@code attempted_at} would cost every one of the ~24 million
 * inserts a day (1 million connections) and, on an existing installation, a migration that blocks inserts while it
 * reads the whole table.
 */
@Repository
class OldestAttempts {

    private final JdbcClient jdbc;

    OldestAttempts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One batch.
     *
     * @param deleted attempts deleted
     * @param reachedRetained whether the batch met an attempt younger than the cutoff, or the end of the log: the run
     *            is done
     */
    record Batch(int deleted, boolean reachedRetained) {
    }

    /**
     * Deletes those of the {@code limit} oldest attempts (by id) that are older than {@code cutoff}. The rows another
     * scheduler is deleting are skipped, so several schedulers share a backlog. A run ends with the first batch that
     * holds a younger attempt, so an old one written after it (late, or by a worker whose clock is behind) waits for a
     * later run's batch to reach it: retention is exact to within a lease or a clock skew.
     */
    Batch deleteOlderThan(Instant cutoff, int limit) {
        return jdbc.sql("""
                WITH oldest AS (
                    SELECT id, attempted_at FROM refresh_attempt ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED),
                gone AS (
                    DELETE FROM refresh_attempt a USING oldest
                    WHERE a.id = oldest.id AND oldest.attempted_at < :cutoff
                    RETURNING a.id)
                SELECT (SELECT count(*) FROM gone) AS deleted,
                       (SELECT count(*) FROM oldest) AS seen,
                       (SELECT count(*) FROM oldest WHERE attempted_at >= :cutoff) AS younger
                """)
                .param("limit", limit)
                .param("cutoff", Timestamp.from(cutoff))
                .query((rs, row) -> new Batch(rs.getInt("deleted"),
                        rs.getInt("younger") > 0 || rs.getInt("seen") < limit))
                .single();
    }
}
