package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
import java.util.function.DoubleConsumer;
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
    /** See {@link #withColdStartTimeout()}; under {@link #LEASE}. */
    private static final Duration COLD_START_REQUEST_TIMEOUT = Duration.ofSeconds(50);

    private final ConnectionClaims claims;
    private final RefreshOutcomes outcomes;
    private final TokenEndpointClient client;
    private final JdbcClient jdbc;
    private final ProviderSettings provider;

    SweepBaseline(ConnectionClaims claims, RefreshOutcomes outcomes, TokenEndpointClient client, JdbcClient jdbc,
            ProviderSettings provider) {
        this.claims = claims;
        this.outcomes = outcomes;
        this.client = client;
        this.jdbc = jdbc;
        this.provider = provider;
    }

    /**
     * One pass with {@code threads} refreshing at once over everything due now, until it is done or the limit passed
     * (the catch-up); returns how many it refreshed.
     */
    long run(int threads, Duration limit, Progress progress) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            return pass(pool, threads, Instant.now(), System.nanoTime() + limit.toNanos(), progress, new AtomicLong(),
                    late -> {
                    });
        } finally {
            shutDown(pool);
        }
    }

    /**
     * The cron form, for the steady state: a pass every {@code interval} over what is due when it starts, until
     * {@code duration} passed. A pass that overruns its interval makes the next one wait for the tick after it ends, as
     * a cron job behind a lock does. Reports each refresh's lateness (its start minus its due time, in seconds) to
     * {@code lateness}; returns how many it refreshed, once {@code duration} has passed.
     */
    long runEvery(Duration interval, int threads, Duration duration, DoubleConsumer lateness)
            throws InterruptedException {
        AtomicLong refreshed = new AtomicLong();
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (long tick = started; tick < deadline; tick = nextTick(started, interval, System.nanoTime())) {
                long wait = tick - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, deadline - System.nanoTime()));
                }
                if (System.nanoTime() < deadline) {
                    pass(pool, threads, Instant.now(), deadline, new Progress(), refreshed, lateness);
                }
            }
            // the window is the whole duration, so that its rate compares with the workers' over theirs
            long rest = deadline - System.nanoTime();
            if (rest > 0) {
                TimeUnit.NANOSECONDS.sleep(rest);
            }
        } finally {
            shutDown(pool);
        }
        return refreshed.get();
    }

    /** The first tick ({@code started + k x interval}) after {@code now}: strictly after, so no tick runs twice. */
    static long nextTick(long started, Duration interval, long now) {
        long step = interval.toNanos();
        return started + ((now - started) / step + 1) * step;
    }

    /** The same sweep for a provider whose refresh lead time is {@code lead} (the steady state's short tokens). */
    SweepBaseline withRefreshLeadTime(Duration lead) {
        return withProvider(lead, provider.requestTimeout());
    }

    /**
     * The same sweep with a request timeout no cold start outlasts: the warm-up's. A JVM that starts with hundreds of
     * requests at once (JIT compiling, heap growing) queues some of them for more than 10 s here; a call that times out
     * after the provider rotated loses its token, and the sweep, which has no recovery for that, would call with the
     * spent token again until its deadline.
     */
    SweepBaseline withColdStartTimeout() {
        return withProvider(provider.refreshLeadTime(), COLD_START_REQUEST_TIMEOUT);
    }

    /** The same sweep with another refresh lead time and request timeout (the tail scenario's). */
    SweepBaseline withProvider(Duration lead, Duration requestTimeout) {
        ProviderSettings p = provider;
        return new SweepBaseline(claims, outcomes, client, jdbc,
                new ProviderSettings(p.name(), p.tokenUri(), p.clientId(), p
                        .clientSecret(), p.clientAuthentication(), lead, p.concurrency(), requestTimeout,
                        p
                                .defaultAccessTokenLifetime(),
                        p.requestHeaders(), p.revocationUri(), p.revocationFormat(), p.timeoutQuietPeriod()));
    }

    /**
     * Refreshes everything due at {@code asOf} that no one else holds, {@code threads} at once, until none is left or
     * the deadline passed.
     */
    private long pass(ExecutorService pool, int threads, Instant asOf, long deadline, Progress progress,
            AtomicLong refreshed, DoubleConsumer lateness) throws InterruptedException {
        long before = refreshed.get();
        Set<UUID> queued = ConcurrentHashMap.newKeySet();
        Semaphore slots = new Semaphore(threads * 2);
        while (System.nanoTime() < deadline) {
            List<Due> due = due(asOf);
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
                        if (refreshOne(d, lateness)) {
                            progress.record(refreshed.incrementAndGet());
                        }
                    } finally {
                        queued.remove(d.id());
                        slots.release();
                    }
                });
            }
        }
        // the pass ends with its last refresh, as a rake task's run does
        slots.acquire(threads * 2);
        slots.release(threads * 2);
        return refreshed.get() - before;
    }

    private static void shutDown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
    }

    private record Due(UUID id, long fence, Instant dueAt) {
    }

    private List<Due> due(Instant asOf) {
        return new java.util.ArrayList<>(jdbc.sql("""
                SELECT id, refresh_fence, next_refresh_at FROM connection
                WHERE status = 'ACTIVE' AND next_refresh_at <= :asOf
                  AND (lease_until IS NULL OR lease_until <= statement_timestamp())
                ORDER BY next_refresh_at LIMIT :limit
                """)
                .param("asOf", asOf.atOffset(ZoneOffset.UTC))
                .param("limit", SELECT_BATCH)
                .query((rs, n) -> new Due(rs.getObject("id", UUID.class), rs.getLong("refresh_fence"), rs.getObject(
                        "next_refresh_at", OffsetDateTime.class).toInstant()))
                .list());
    }

    private boolean refreshOne(Due due, DoubleConsumer lateness) {
        Instant started = Instant.now();
        if (!(claims.claim(due.id(), due.fence(), "sweep", LEASE) instanceof ClaimResult.Claimed claimed)) {
            return false;
        }
        // as the workers measure it: from the due time to the claim, never below 0
        lateness.accept(Math.max(0, Duration.between(due.dueAt(), started).toMillis()) / 1000.0);
        RefreshResult result = client.refresh(provider, claimed.claim().refreshToken());
        if (!(result instanceof RefreshResult.Granted granted)) {
            claims.releaseLease(claimed.claim());
            return false;
        }
        Instant now = Instant.now();
        return outcomes.storeRefreshed(claimed.claim(), RefreshedTokens.of(granted.grant(), started, claimed.claim()
                .refreshExpiresAt()), provider.refreshDueAt(started, granted.grant().accessTokenLifetime()), now,
                new AttemptRecord(now, AttemptOutcome.REFRESHED, granted.httpStatus(), null, granted.duration(),
                        "sweep"))
                .isPresent();
    }
}
