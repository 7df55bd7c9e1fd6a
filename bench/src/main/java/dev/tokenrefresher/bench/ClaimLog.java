package dev.tokenrefresher.bench;

import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every claim of a connection, with its due time and the database's time of the claim, written by a trigger on the
 * run's {@code connection} table: the benchmark's own record of each refresh's lateness, connection by connection,
 * where the workers' histogram only has all connections together. The workers' claims and the sweep's go through the
 * same {@code UPDATE} ({@code ConnectionClaims}), so both are measured alike: claim minus {@code next_refresh_at},
 * never below 0. (The workers' own histogram measures from the due time their message carries, which the delay ladder
 * may set up to a sixteenth of the delay earlier, {@code DelayLadder.coarsen}: a refresh claimed before the
 * connection's due time counts 0 here.) The trigger costs one small insert per claim, in the scenario that has it.
 */
final class ClaimLog implements AutoCloseable {

    /** One claim: which connection (by the realm id the sandbox knows it by) and how late, in seconds. */
    record Claim(String realmId, double secondsLate) {
    }

    private final JdbcClient jdbc;

    ClaimLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
        jdbc.sql("CREATE TABLE bench_claim (connection_id uuid NOT NULL, due_at timestamptz, "
                + "claimed_at timestamptz NOT NULL)").update();
        // the schema's search path is kept with the function, so that it finds its table from the workers' sessions too
        jdbc.sql("""
                CREATE FUNCTION bench_log_claim() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                BEGIN
                    INSERT INTO bench_claim VALUES (NEW.id, NEW.next_refresh_at, statement_timestamp());
                    RETURN NULL;
                END $$""").update();
        // only a claim sets a lease; stores and releases clear it
        jdbc.sql("CREATE TRIGGER bench_claim AFTER UPDATE OF lease_until ON connection FOR EACH ROW "
                + "WHEN (NEW.lease_until IS NOT NULL) EXECUTE FUNCTION bench_log_claim()").update();
    }

    /** Forgets the claims so far: a measured window starts. */
    void clear() {
        jdbc.sql("TRUNCATE bench_claim").update();
    }

    /** The claims since {@link #clear()}. */
    List<Claim> claims() {
        return jdbc.sql("""
                SELECT c.tenant_id, greatest(0, extract(epoch FROM l.claimed_at - l.due_at)) AS late
                FROM bench_claim l JOIN connection c ON c.id = l.connection_id
                WHERE l.due_at IS NOT NULL
                """)
                .query((rs, n) -> new Claim(Seeder.realmId(rs.getString("tenant_id")), rs.getDouble("late")))
                .list();
    }

    /**
     * The connections due and not claimed now, with how long they have been due: lateness the claims cannot show yet
     * (a backlog's refreshes that have not come).
     */
    List<Claim> waiting() {
        return jdbc.sql("""
                SELECT tenant_id, extract(epoch FROM statement_timestamp() - next_refresh_at) AS late
                FROM connection
                WHERE status = 'ACTIVE' AND next_refresh_at < statement_timestamp()
                  AND (lease_until IS NULL OR lease_until <= statement_timestamp())
                """)
                .query((rs, n) -> new Claim(Seeder.realmId(rs.getString("tenant_id")), rs.getDouble("late")))
                .list();
    }

    @Override
    public void close() {
        jdbc.sql("DROP TRIGGER IF EXISTS bench_claim ON connection").update();
        jdbc.sql("DROP FUNCTION IF EXISTS bench_log_claim()").update();
        jdbc.sql("DROP TABLE IF EXISTS bench_claim").update();
    }
}
