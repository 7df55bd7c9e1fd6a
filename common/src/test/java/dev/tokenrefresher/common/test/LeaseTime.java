package dev.tokenrefresher.common.test;

import java.time.Duration;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Time for leases and quiet periods, which is the database's (DESIGN decision 11): a test lets their time pass by moving
 * their end in the row, never by handing an app's {@code now} to the statement that compares it.
 */
public final class LeaseTime {

    private LeaseTime() {
    }

    /** As if {@code elapsed} had passed for the connection's lease: its end moves that much closer to the present. */
    public static void pass(JdbcClient jdbc, UUID connectionId, Duration elapsed) {
        jdbc.sql("UPDATE connection SET lease_until = lease_until - :ms * interval '1 millisecond' WHERE id = :id")
                .param("ms", elapsed.toMillis())
                .param("id", connectionId)
                .update();
    }

    /** As if {@code elapsed} had passed for the quiet period after a timed-out call: its end moves that much closer. */
    public static void passQuiet(JdbcClient jdbc, UUID connectionId, Duration elapsed) {
        jdbc.sql("UPDATE connection SET quiet_until = quiet_until - :ms * interval '1 millisecond' WHERE id = :id")
                .param("ms", elapsed.toMillis())
                .param("id", connectionId)
                .update();
    }

    /** How long the connection's lease still lasts by the database's clock; zero when there is none or it ended. */
    public static Duration remaining(JdbcClient jdbc, UUID connectionId) {
        Long ms = jdbc.sql("""
                SELECT (extract(epoch FROM greatest(lease_until - statement_timestamp(), interval '0')) * 1000)::bigint
                FROM connection WHERE id = :id
                """)
                .param("id", connectionId)
                .query(Long.class)
                .single();
        return ms == null ? Duration.ZERO : Duration.ofMillis(ms);
    }

    /**
     * Sets when a hand-off drain of the installation last found its queue empty: an abandoned lease that ended before
     * is taken over, a later one is not ({@code ConnectionClaims}). {@code "infinity"} lets every ended lease be taken
     * over, as if nothing could be waiting.
     */
    public static void handoffsDrainedAt(JdbcClient jdbc, String installation, String at) {
        jdbc.sql("""
                INSERT INTO handoff_watermark (installation, drained_at) VALUES (:installation, :at::timestamptz)
                ON CONFLICT (installation) DO UPDATE SET drained_at = excluded.drained_at
                """).param("installation", installation).param("at", at).update();
    }
}
