package dev.tokenrefresher.bench;

import java.util.List;
import java.util.Locale;

/** The tail scenario's figures: a line per run in the log, a section of the report. */
final class TailReport {

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private TailReport() {
    }

    static void log(TailRun run) {
        TailGroups.Group all = run.groups().all();
        String histogram = run.workersLateness() == null
                ? ""
                : "; the workers' own histogram, every connection: " + histogram(run.workersLateness());
        String others = String.format(Locale.ROOT, "other connections: lateness %s over %,d claims, %s, %,d "
                + "refreshed after expiry", lateness(run.others()), run.otherClaims(), waiting(run),
                run.groups().other().afterExpiry());
        String every = String.format(Locale.ROOT, "every connection: %,d after expiry, overlapping %d, "
                + "invalid_grant %d; calls hung %s, slow %s", all.afterExpiry(), all.overlapping(),
                all.invalidGrants(), TailCase.percent(run.hungCallShare()), TailCase.percent(run.slowCallShare()));
        Benchmark.log(String.format(Locale.ROOT, "  %s: %,d refreshes in %.0f s (%.0f/s); %s; %s%s; %.1f CPU s "
                + "outside the benchmark's processes", run.name(), run.refreshes(), run.seconds(), run.rate(), others,
                every, histogram, run.otherCpuSeconds()));
    }

    static void section(StringBuilder md, BenchSettings settings, List<TailResult> results) {
        BenchSettings.Steady steady = settings.steady();
        TailSettings tail = settings.tail();
        md.append("\n## Tail latency: slow calls beside the others (issue 19)\n\n");
        md.append(String.format(Locale.ROOT, "The steady state's load (%,d connections, each due once per %d-s cycle, "
                + "access tokens living %d s, refresh lead time %d s) with a share of the provider's calls hanging "
                + "for the whole request timeout (%d s here, the workers' and the sweep's; the sandbox holds a hung "
                + "call as long, then answers 504 to nobody) or taking %d-%d s. The sandbox aims them at a share of "
                + "the connections: a hanging connection's first call of each refresh hangs and the retry goes "
                + "through, a slow connection's every call is slow. What is measured is the *other* connections: "
                + "the lateness of their refreshes (claim minus due time, `next_refresh_at`, by the database's clock, "
                + "from a trigger on the claims, the workers' and the sweep's alike, never below 0; exact figures, "
                + "not histogram buckets), those still due and not claimed when the window closed, and their "
                + "refreshes the sandbox saw after the access token had expired. Each run starts from due times "
                + "spread over the cycle, runs one cycle without the tail (not measured), then %d s with it: %d "
                + "worker processes with %d refreshes in flight in all; the pooled sweep with as many threads, a pass "
                + "every %d s, on the same connections after the workers stopped. The workers' own histogram (every "
                + "connection, hanging ones included, from the due time their message carries) is given beside it.%n",
                steady.connections(), steady.cycle().toSeconds(), steady.cycle().plus(steady.lead()).toSeconds(),
                steady.lead().toSeconds(), tail.requestTimeout().toSeconds(), TailCase.SLOW_MIN.toSeconds(),
                TailCase.SLOW_MAX.toSeconds(), tail.duration().toSeconds(), steady.workers(), settings
                        .concurrency(),
                steady.sweepInterval().toSeconds()));
        for (TailResult result : results) {
            md.append(String.format(Locale.ROOT, "%n### `%s`: %s%n%nOf the %,d connections, %,d hang and %,d are "
                    + "slow; the other %,d are measured.%n%n", result.tail().name(),
                    result.tail().describe(tail
                            .requestTimeout()),
                    result.connections(), result.hangConnections(), result
                            .slowConnections(),
                    result.otherConnections()));
            md.append("| run | refreshes | refreshes/s | other connections: lateness p50 | p99 | max | still due at "
                    + "the end (the oldest) | refreshed after expiry | every connection: after expiry | calls hung "
                    + "/ slow | overlapping | invalid_grant | workers' own histogram, every connection: p99 / max "
                    + "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            row(md, result.workers());
            if (result.sweep() != null) {
                row(md, result.sweep());
            }
            md.append(String.format(Locale.ROOT, "%nCPU the machine spent outside the benchmark's processes (its "
                    + "apps, its JVM, PostgreSQL and RabbitMQ) in the window: %s, of %.0f CPU s the %d cores had.%n",
                    others(result), result.workers().seconds() * CORES, CORES));
            TailRun ours = result.workers();
            md.append(String.format(Locale.ROOT, "%nIssue 19's target for the other connections (p99 <= 1 s, max <= "
                    + "5 s, none still due longer, none after expiry), %s: **%s**.%n", ours.name(),
                    ours.meetsTarget()
                            ? "met"
                            : "not met"));
        }
    }

    private static void row(StringBuilder md, TailRun run) {
        ExactLateness others = run.others();
        TailGroups.Group all = run.groups().all();
        String lateness = others == null
                ? "– | – | –"
                : seconds(others.p50()) + " | " + seconds(others.p99()) + " | " + seconds(others.max());
        String histogram = run.workersLateness() == null ? "–" : histogram(run.workersLateness());
        md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s | %,d | %,d | %s / %s | %d | %d | %s |%n",
                run.name(), run.refreshes(), run.rate(), lateness, waiting(run), run.groups().other().afterExpiry(),
                all.afterExpiry(), TailCase.percent(run.hungCallShare()), TailCase.percent(run.slowCallShare()),
                all.overlapping(), all.invalidGrants(), histogram));
    }

    private static String others(TailResult result) {
        String workers = String.format(Locale.ROOT, "%.1f CPU s with the workers", result.workers()
                .otherCpuSeconds());
        return result.sweep() == null
                ? workers
                : workers + String.format(Locale.ROOT, ", %.1f with the sweep", result.sweep().otherCpuSeconds());
    }

    private static String lateness(ExactLateness lateness) {
        return lateness == null ? "–" : lateness.toString();
    }

    private static String waiting(TailRun run) {
        return run.waitingCount() == 0
                ? "none still due"
                : String.format(Locale.ROOT, "%,d still due (%s)", run.waitingCount(), seconds(run.waiting().max()));
    }

    private static String histogram(LatenessHistogram lateness) {
        return Report.bound(lateness.quantile(0.99)) + " / " + Report.bound(lateness.maxBound());
    }

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.3f s", seconds);
    }
}
