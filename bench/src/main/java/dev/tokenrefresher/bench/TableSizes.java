package dev.tokenrefresher.bench;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The run's two growing tables as PostgreSQL stores them: {@code pg_total_relation_size} (heap, TOAST, indexes) and
 * their rows.
 */
record TableSizes(long connectionBytes, long connectionRows, long attemptBytes, long attemptRows) {

    static TableSizes measure(JdbcClient jdbc) {
        return new TableSizes(size(jdbc, "connection"), rows(jdbc, "connection"), size(jdbc, "refresh_attempt"), rows(
                jdbc, "refresh_attempt"));
    }

    double connectionBytesPerRow() {
        return connectionRows == 0 ? 0 : (double) connectionBytes / connectionRows;
    }

    double attemptBytesPerRow() {
        return attemptRows == 0 ? 0 : (double) attemptBytes / attemptRows;
    }

    /** The WAL position of the server, bytes since its start: two readings' difference is the WAL written between. */
    static long walPosition(JdbcClient jdbc) {
        return jdbc.sql("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint").query(Long.class).single();
    }

    private static long size(JdbcClient jdbc, String table) {
        return jdbc.sql("SELECT pg_total_relation_size('" + table + "')").query(Long.class).single();
    }

    private static long rows(JdbcClient jdbc, String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }
}
