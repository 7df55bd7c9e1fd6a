package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.AttemptRows.RECORD_ATTEMPT_OF_UPDATED;
import static dev.tokenrefresher.common.connection.AttemptRows.attemptParams;
import static dev.tokenrefresher.common.connection.AttemptRows.durationMillis;
import static dev.tokenrefresher.common.connection.AttemptRows.lastError;
import static dev.tokenrefresher.common.connection.ConnectionStore.ACCESS_TOKEN;
import static dev.tokenrefresher.common.connection.ConnectionStore.REFRESH_TOKEN;
import static dev.tokenrefresher.common.connection.Timestamps.instant;
import static dev.tokenrefresher.common.connection.Timestamps.ts;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
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

/** The reconciliation sweep's statement: lost chains found and made due again, by one scheduler at a time. */
public class OverdueConnections {

    /** Any 64-bit constant works; this one spells "tokenref" so it is recognisable in pg_locks. */
    private static final long SWEEP_LOCK_KEY = 0x746f6b656e726566L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    OverdueConnections(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * Re-enqueues lost chains of one provider: its ACTIVE connections due before {@code dueBefore} that nobody holds a
     * lease on get a new fence and are due {@code now}. The caller chooses {@code dueBefore} so that every message due
     * earlier must have been consumed by now (see the scheduler's sweep): a connection whose message merely waits in a
     * work queue nobody consumes is not lost. "Due" is scheduling and compares {@code next_refresh_at} with the apps'
     * clocks; whether a lease lives is single flight and is the database's to say. Runs only where this transaction
     * wins PostgreSQL's advisory lock, so that of several schedulers one sweeps at a time.
     *
     * @return the connections to publish a message for, after this method returned (the transaction is committed);
     *         empty if another scheduler holds the lock
     */
    public SweepResult rescheduleOverdue(String provider, Instant dueBefore, Instant now, int limit) {
        return transactions.execute(status -> {
            boolean leader = jdbc.sql("SELECT pg_try_advisory_xact_lock(:key)")
                    .param("key", SWEEP_LOCK_KEY)
                    .query(Boolean.class)
                    .single();
            if (!leader) {
                return new SweepResult(false, List.of());
            }
            List<Rescheduled> rescheduled = jdbc
                    .sql("""
                            WITH due AS (
                                SELECT id FROM connection
                                WHERE status = 'ACTIVE' AND next_refresh_at < :cutoff AND provider = :provider
                                  -- the lease by the database's clock; next_refresh_at is scheduling, by the apps' clocks
                                  AND (lease_until IS NULL OR lease_until <= statement_timestamp())
                                ORDER BY next_refresh_at
                                LIMIT :limit
                                FOR UPDATE SKIP LOCKED)
                            UPDATE connection c SET refresh_fence = c.refresh_fence + 1, next_refresh_at = :now, updated_at = :now
                            FROM due WHERE c.id = due.id
                            RETURNING c.id, c.provider, c.refresh_fence
                            """)
                    .param("cutoff", ts(dueBefore))
                    .param("provider", provider)
                    .param("now", ts(now))
                    .param("limit", limit)
                    .query((rs, n) -> new Rescheduled(rs.getObject("id", UUID.class), rs.getString("provider"),
                            rs.getLong("refresh_fence"), now))
                    .list();
            return new SweepResult(true, rescheduled);
        });
    }

    /** @param leader whether this sweep held the advisory lock */
    public record SweepResult(boolean leader, List<Rescheduled> rescheduled) {
    }
}
