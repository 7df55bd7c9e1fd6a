package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The design token-refresher replaces, measured against the same sandbox and database: a sweep that selects what is
 * due and refreshes it, one at a time (the classic cron or rake task) or with a thread pool. It is given the same
 * single-flight claim and guarded store the workers use, so it is as correct as they are and no slower for lack of
 * them; it only lacks the queue.
 */
final class SweepBaseline {

    private static final int SELECT_BATCH = 1_000;
    private static final Duration LEASE = Duration.ofSeconds(60);

    private final ConnectionStore store;
    private final TokenEndpointClient client;
    private final JdbcClient jdbc;
    private final ProviderSettings provider;

    SweepBaseline(ConnectionStore store, TokenEndpointClient client, JdbcClient jdbc, ProviderSettings provider) {
        this.store = store;
        this.client = client;
        this.jdbc = jdbc;
        this.provider = provider;
    }

    /** Sweeps with {@code threads} refreshing at once until nothing is due or the limit passed; returns how many. */
    long run(int threads, Duration limit, Progress progress) throws InterruptedException {
        AtomicLong refreshed = new AtomicLong();
        Set<UUID> queued = ConcurrentHashMap.newKeySet();
        Semaphore slots = new Semaphore(threads * 2);
        long deadline = System.nanoTime() + limit.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            while (System.nanoTime() < deadline) {
                List<Due> due = due();
                due.removeIf(d -> queued.contains(d.id()));
                if (due.isEmpty()) {
                    if (queued.isEmpty()) {
                        break;
                    }
                    Thread.sleep(20);
                    continue;
                }
                for (Due d : due) {
                    if (System.nanoTime() >= deadline) {
                        break;
                    }
                    slots.acquire();
                    queued.add(d.id());
                    pool.execute(() -> {
                        try {
                            if (refreshOne(d)) {
                                progress.record(refreshed.incrementAndGet());
                            }
                        } finally {
                            queued.remove(d.id());
                            slots.release();
                        }
                    });
                }
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        return refreshed.get();
    }

    private record Due(UUID id, long fence) {
    }

    private List<Due> due() {
        Instant now = Instant.now();
        return new java.util.ArrayList<>(jdbc.sql("""
                SELECT id, refresh_fence FROM connection
                WHERE status = 'ACTIVE' AND next_refresh_at <= :now AND (lease_until IS NULL OR lease_until <= :now)
                ORDER BY next_refresh_at LIMIT :limit
                """)
                .param("now", now.atOffset(ZoneOffset.UTC))
                .param("limit", SELECT_BATCH)
                .query((rs, n) -> new Due(rs.getObject("id", UUID.class), rs.getLong("refresh_fence")))
                .list());
    }

    private boolean refreshOne(Due due) {
        Instant started = Instant.now();
        if (!(store.claim(due.id(), due.fence(), "sweep", started, LEASE) instanceof ClaimResult.Claimed claimed)) {
            return false;
        }
        RefreshResult result = client.refresh(provider, claimed.claim().refreshToken());
        if (!(result instanceof RefreshResult.Granted granted)) {
            store.releaseLease(claimed.claim());
            return false;
        }
        Instant now = Instant.now();
        return store.storeRefreshed(claimed.claim(), RefreshedTokens.of(granted.grant(), started, claimed.claim()
                .refreshExpiresAt()), provider.refreshDueAt(started, granted.grant().accessTokenLifetime()), now,
                new AttemptRecord(now, AttemptOutcome.REFRESHED, granted.httpStatus(), null, granted.duration(),
                        "sweep"))
                .isPresent();
    }
}
