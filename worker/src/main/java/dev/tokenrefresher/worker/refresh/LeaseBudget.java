package dev.tokenrefresher.worker.refresh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The worst case of everything a worker's claim can be busy with between its statement and the store of its result,
 * for one provider: what the lease must cover, or another actor could claim the connection and call the provider with
 * a refresh token that is being used, or whose successor is not stored yet (DESIGN decision 3, issue 18 point 5).
 * Each step is bounded by a setting; {@link LeaseBudgets} adds them up at start-up and refuses a shorter lease.
 *
 * <p>The calls stay {@code fast-retries} whole request timeouts although a call that times out is never retried at
 * once (issue 19, point 2): only a call that ran into the request timeout ends the series, and one answered just
 * before it (a 5xx after 9.9 s of a 10-s timeout) is retried like any other, so every call but the last may still take
 * nearly the whole timeout, and the last may take it whole. A quiet period after a timed-out call is not spent under
 * the lease: the claim is given back, and the row's {@code quiet_until} keeps every actor out until it has passed.
 *
 * @param terms the steps, each with the settings and figures it comes from
 */
public record LeaseBudget(String provider, List<Term> terms) {

    /**
     * The statements' own run time: the claim's (the lease starts with it), the records of fast-retried failures, and
     * the store's once it runs. Milliseconds as a rule; a statement the database holds longer (up to
     * {@code refresher.database.statement-timeout}) is not covered, see docs/architecture.md.
     */
    public static final Duration STATEMENTS = Duration.ofSeconds(1);

    /** One step: what it is, the settings and figures that bound it, and its worst case. */
    public record Term(String step, String figures, Duration duration) {
    }

    /**
     * @param bulkheadMaxWait the provider's resilience4j bulkhead {@code max-wait-duration}: each call may wait that
     *            long for a place
     * @param rateLimiterTimeout the provider's resilience4j rate limiter {@code timeout-duration}: each call may wait
     *            that long for a permit
     * @param handoffConfirm {@code refresher.handoff.confirm-timeout}: when the database stays down past the store
     *            retries, the issued tokens go to the hand-off queue, and that publish must be confirmed while the lease
     *            lives, or a takeover could miss them (a takeover waits only for hand-offs published before the lease
     *            ended)
     */
    public static LeaseBudget of(String provider, WorkerProperties worker, Duration requestTimeout,
            Duration bulkheadMaxWait, Duration rateLimiterTimeout, Duration handoffConfirm) {
        int calls = worker.fastRetries();
        Term callTerm = new Term("provider calls", calls + " x (" + oneCall(provider, requestTimeout,
                bulkheadMaxWait, rateLimiterTimeout) + "; refresher.worker.fast-retries " + calls + ")",
                bulkheadMaxWait.plus(rateLimiterTimeout).plus(requestTimeout).multipliedBy(calls));
        Term pauses = new Term("pauses between them", (calls - 1) + " x refresher.worker.fast-retry-max-backoff "
                + text(worker.fastRetryMaxBackoff()), worker.fastRetryMaxBackoff().multipliedBy(calls - 1L));
        return new LeaseBudget(provider, withRecording(List.of(callTerm, pauses), worker, handoffConfirm));
    }

    /**
     * What a refresh under way when the worker begins to stop may still need, the least
     * {@code refresher.worker.shutdown-grace} must cover (issue 20 point 8): the provider call it may have just begun,
     * with its bulkhead and rate-limiter waits (a stopping worker makes no fast retry, {@link StopSignal}), then the
     * recording of what came of it, as in the lease: store retries, hand-off, the group commit's wait, the statements.
     */
    public static LeaseBudget forShutdown(String provider, WorkerProperties worker, Duration requestTimeout,
            Duration bulkheadMaxWait, Duration rateLimiterTimeout, Duration handoffConfirm) {
        Term callTerm = new Term("the provider call under way", oneCall(provider, requestTimeout, bulkheadMaxWait,
                rateLimiterTimeout) + "; no fast retry once stopping", bulkheadMaxWait.plus(rateLimiterTimeout)
                        .plus(requestTimeout));
        return new LeaseBudget(provider, withRecording(List.of(callTerm), worker, handoffConfirm));
    }

    private static String oneCall(String provider, Duration requestTimeout, Duration bulkheadMaxWait,
            Duration rateLimiterTimeout) {
        return "resilience4j bulkhead max-wait-duration " + text(bulkheadMaxWait)
                + " + resilience4j rate-limiter timeout-duration " + text(rateLimiterTimeout)
                + " + refresher.providers."
                + provider + ".request-timeout " + text(requestTimeout);
    }

    /** The steps after the calls: making the result durable, which the lease and the shutdown grace both cover. */
    private static List<Term> withRecording(List<Term> calls, WorkerProperties worker, Duration handoffConfirm) {
        List<Term> terms = new ArrayList<>(calls);
        terms.add(new Term("store retries", "refresher.worker.store-retry-timeout " + text(worker
                .storeRetryTimeout()), worker.storeRetryTimeout()));
        terms.add(new Term("hand-off", "refresher.handoff.confirm-timeout " + text(handoffConfirm), handoffConfirm));
        terms.add(new Term("queued behind the grouped statement ahead", "refresher.worker.statement-max-wait "
                + text(worker.statementMaxWait()), worker.statementMaxWait()));
        terms.add(new Term("the statements", "claim, failed attempts, store", STATEMENTS));
        return List.copyOf(terms);
    }

    /** The sum of the steps: the shortest lease that covers them. */
    public Duration total() {
        return terms.stream().map(Term::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /** Every step with its figures, for the start-up message and log. */
    public String describe() {
        return terms.stream().map(term -> term.step() + " " + text(term.duration()) + " (" + term.figures() + ")")
                .collect(Collectors.joining(" + "));
    }

    /** @throws IllegalStateException naming the settings and figures when {@code lease} is shorter than the total */
    void requireCoveredBy(Duration lease) {
        if (lease.compareTo(total()) < 0) {
            throw new IllegalStateException("refresher.worker.lease (" + text(lease) + ") is shorter than the worst "
                    + "case between a claim and the store of its result for provider " + provider + ", "
                    + text(total()) + " = " + describe() + ". Another worker could claim the connection and call the "
                    + "provider with the same refresh token: raise refresher.worker.lease to at least " + text(total())
                    + ", or lower one of these settings");
        }
    }

    /**
     * @throws IllegalStateException naming the settings and figures when {@code grace} is shorter than the total of
     *             this {@link #forShutdown} budget
     */
    void requireShutdownGraceCovers(Duration grace) {
        if (grace.compareTo(total()) < 0) {
            throw new IllegalStateException("refresher.worker.shutdown-grace (" + text(grace) + ") is shorter than "
                    + "what a refresh under way when the worker stops may still need for provider " + provider + ", "
                    + text(total()) + " = " + describe() + ". A stopping worker would close its consumers while "
                    + "refreshes are still storing what the provider issued: raise refresher.worker.shutdown-grace to "
                    + "at least " + text(total()) + " (and the orchestrator's grace period above it: Kubernetes "
                    + "terminationGracePeriodSeconds, docker compose stop_grace_period), or lower one of these "
                    + "settings");
        }
    }

    /** A duration as configured: {@code 2s}, {@code 250ms}. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
