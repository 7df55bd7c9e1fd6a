package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Puts connections in place as after a long outage: minted at the sandbox, stored with their tokens encrypted as the
 * connection store encrypts them ({@link ConnectionCopier}), access tokens expired, every one due now.
 */
final class Seeder {

    private static final int COPY_ROWS = 10_000;
    /** A connection's tenant is this and the realm id the sandbox minted it with. */
    private static final String TENANT_PREFIX = "bench-";

    private final ConnectionCopier copier;
    private final RefreshPublisher publisher;
    private final JdbcClient jdbc;
    private final String provider;

    Seeder(ConnectionCopier copier, RefreshPublisher publisher, JdbcClient jdbc, String provider) {
        this.copier = copier;
        this.publisher = publisher;
        this.jdbc = jdbc;
        this.provider = provider;
    }

    /** Stores the minted connections, access tokens expired a minute ago, due now, in {@code COPY}s of 10,000. */
    void store(List<SandboxClient.Minted> minted) throws Exception {
        Instant now = Instant.now();
        for (int from = 0; from < minted.size(); from += COPY_ROWS) {
            List<ConnectionCopier.Row> rows = minted.subList(from, Math.min(minted.size(), from + COPY_ROWS)).stream()
                    .map(m -> new ConnectionCopier.Row(UUID.randomUUID(), TENANT_PREFIX + m.realmId(), m.realmId(), m
                            .accessToken(), m.refreshToken(), now.minus(Duration.ofMinutes(1)),
                            now.plus(Duration
                                    .ofDays(100)),
                            now))
                    .toList();
            copier.copy(rows, now);
            if ((from + rows.size()) % 100_000 == 0) {
                Benchmark.log(String.format(java.util.Locale.ROOT, "  stored %,d connections", from + rows.size()));
            }
        }
        jdbc.sql("VACUUM ANALYZE connection").update();
    }

    /** The sandbox's realm id of a connection stored here, from its tenant id (another tenant id as it is). */
    static String realmId(String tenantId) {
        return tenantId.startsWith(TENANT_PREFIX) ? tenantId.substring(TENANT_PREFIX.length()) : tenantId;
    }

    /** The realm ids of the first {@code count} connections in id order, those {@link #spreadOverCycle} spreads. */
    List<String> realmIdsOfFirst(int count) {
        return jdbc.sql("SELECT tenant_id FROM connection WHERE status = 'ACTIVE' ORDER BY id LIMIT :count")
                .param("count", count)
                .query((rs, n) -> realmId(rs.getString("tenant_id")))
                .list();
    }

    /**
     * Makes every connection due now again with a new fence (what a replay or the sweep does), for the next run, and
     * vacuums the tables, as autovacuum does between runs on a production database (it is off on the CI machine; without
     * it every refresh of a run walks the dead rows of all the runs before).
     */
    List<Registered> rearmAll() {
        List<Registered> rearmed = rearm(Integer.MAX_VALUE);
        jdbc.sql("VACUUM ANALYZE connection, refresh_attempt").update();
        return rearmed;
    }

    /** The same for the first {@code count} connections in id order (a warm-up round). */
    List<Registered> rearm(int count) {
        Instant now = Instant.now();
        return jdbc.sql("""
                UPDATE connection SET refresh_fence = refresh_fence + 1, next_refresh_at = :now,
                       access_expires_at = :expired, lease_owner = NULL, lease_until = NULL
                WHERE id IN (SELECT id FROM connection WHERE status = 'ACTIVE' ORDER BY id LIMIT :count)
                RETURNING id, refresh_fence
                """)
                .param("count", count)
                .param("now", now.atOffset(ZoneOffset.UTC))
                .param("expired", now.minus(Duration.ofMinutes(1)).atOffset(ZoneOffset.UTC))
                .query((rs, n) -> new Registered(rs.getObject("id", UUID.class), rs.getLong(
                        "refresh_fence"), now, false))
                .list();
    }

    /**
     * How many of the first {@code count} connections in id order (a {@link #rearm(int)} round) have no refresh stored
     * since {@code since}. The provider counts a refresh when it answers; the worker stores it a moment later, and a
     * store that lands after the next round's rearm moves the fence past that round's message, which the worker then
     * drops as stale: the connection would sit out the round.
     */
    long notStoredSince(int count, Instant since) {
        return jdbc.sql("""
                SELECT count(*) FROM (SELECT last_refreshed_at FROM connection
                                      WHERE status = 'ACTIVE' ORDER BY id LIMIT :count) round
                WHERE round.last_refreshed_at IS NULL OR round.last_refreshed_at < :since
                """)
                .param("count", count)
                .param("since", since.atOffset(ZoneOffset.UTC))
                .query(Long.class)
                .single();
    }

    /**
     * Spreads the first {@code count} connections evenly over one refresh cycle, as a fleet looks that has run for a
     * while: connection i is due at {@code now + i/count x cycle}, its access token expiring {@code lead} later. The
     * other connections are put a day ahead, out of the run: a sweep selects whatever is due, and the catch-ups leave
     * some due (a sweep stopped at its limit). Vacuums the tables after, like {@link #rearmAll()}.
     */
    List<Registered> spreadOverCycle(int count, Duration cycle, Duration lead) {
        Instant now = Instant.now();
        putAsideAllBut(count, now);
        List<Registered> spread = jdbc.sql("""
                WITH chosen AS (
                    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                    FROM connection WHERE status = 'ACTIVE' ORDER BY id LIMIT :count)
                UPDATE connection c SET refresh_fence = c.refresh_fence + 1,
                       next_refresh_at = :now + (chosen.n * :cycleMillis / :count) * interval '1 millisecond',
                       access_expires_at = :now + (chosen.n * :cycleMillis / :count + :leadMillis)
                           * interval '1 millisecond',
                       lease_owner = NULL, lease_until = NULL
                FROM chosen WHERE c.id = chosen.id
                RETURNING c.id, c.refresh_fence, c.next_refresh_at
                """)
                .param("count", count)
                .param("now", now.atOffset(ZoneOffset.UTC))
                .param("cycleMillis", cycle.toMillis())
                .param("leadMillis", lead.toMillis())
                .query((rs, n) -> new Registered(rs.getObject("id", UUID.class), rs.getLong("refresh_fence"), rs
                        .getObject("next_refresh_at", OffsetDateTime.class).toInstant(), false))
                .list();
        jdbc.sql("VACUUM ANALYZE connection, refresh_attempt").update();
        return spread;
    }

    /**
     * Makes the first {@code count} connections due now, as {@link #rearm(int)} does, and puts the others a day ahead:
     * what a sweep over everything due then refreshes is these (the sandbox's warm-up round).
     */
    List<Registered> rearmOnly(int count) {
        putAsideAllBut(count, Instant.now());
        return rearm(count);
    }

    /** Puts every connection but the first {@code count} in id order a day ahead, out of what a sweep selects. */
    private void putAsideAllBut(int count, Instant now) {
        jdbc.sql("""
                UPDATE connection SET refresh_fence = refresh_fence + 1, next_refresh_at = :later,
                       lease_owner = NULL, lease_until = NULL
                WHERE status = 'ACTIVE'
                  AND id NOT IN (SELECT id FROM connection WHERE status = 'ACTIVE' ORDER BY id LIMIT :count)
                """)
                .param("count", count)
                .param("later", now.plus(Duration.ofDays(1)).atOffset(ZoneOffset.UTC))
                .update();
    }

    /** Publishes a due-now message for each, in confirmed batches. */
    void publishDueNow(List<Registered> connections) {
        publish(connections, false);
    }

    /** Publishes a message for each, due at its {@code nextRefreshAt} (through the delay ladder). */
    void publishAtDueTimes(List<Registered> connections) {
        publish(connections, true);
    }

    private void publish(List<Registered> connections, boolean atDueTimes) {
        Instant now = Instant.now();
        // a due-now message is due at the publish's start; one at its due time is delayed from its batch's publish
        List<RefreshPublisher.Outgoing> messages = connections.stream().map(r -> new RefreshPublisher.Outgoing(
                provider, new RefreshMessage(r.id(), r.fence(), atDueTimes ? r.nextRefreshAt() : now, 0))).toList();
        try {
            ParallelPublish.publish(publisher, messages, done -> {
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        }
    }
}
