package dev.tokenrefresher.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The worker processes a scenario starts, and what the benchmark reads from them. */
final class WorkerProcesses {

    /** The window in which the first cycle's refreshes must all have been on time before the steady state is measured. */
    private static final Duration SETTLE_WINDOW = Duration.ofSeconds(5);
    /** On time: the steady state's p99 target. */
    private static final double SETTLED_LATENESS = 1.0;

    private WorkerProcesses() {
    }

    /**
     * Starts worker processes and waits until they are healthy; the caller closes them.
     *
     * @param phase the start of their log files' names, so that one phase's workers do not overwrite another's logs
     */
    static List<AppProcess> start(String phase, BenchSettings settings, int workerCount,
            Map<String, String> common, Map<String, String> scenario) {
        Map<String, String> workerSettings = new LinkedHashMap<>();
        // rate limiter and bulkhead out of the way: the provider here is the sandbox, not a rate-limited API
        workerSettings.put("resilience4j.ratelimiter.configs.default.limit-for-period", "1000000");
        // the run's concurrency is the total in flight, split evenly among its workers
        int perWorker = settings.concurrencyPerWorker(workerCount);
        workerSettings.put("refresher.providers." + Benchmark.PROVIDER + ".concurrency", Integer.toString(perWorker));
        workerSettings.put("resilience4j.bulkhead.configs.default.max-concurrent-calls", Integer.toString(perWorker));
        // PostgreSQL allows 100 connections here: share about 60 among the workers, at most 16 each (virtual threads
        // hold a connection only for a statement; more backends cost PostgreSQL more than they bring)
        workerSettings.put("spring.datasource.hikari.maximum-pool-size", Integer.toString(Math.max(4, Math.min(16, 60
                / workerCount))));
        workerSettings.put("logging.level.dev.tokenrefresher", "WARN");
        // the catch-up pauses and resumes the consumers through the breakers' endpoint
        workerSettings.put("management.endpoints.web.exposure.include", "health,info,metrics,prometheus,"
                + "circuitbreakers");
        workerSettings.putAll(scenario);
        workerSettings.putAll(settings.workerProperties());
        List<AppProcess> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= workerCount; i++) {
                Map<String, String> own = new LinkedHashMap<>(workerSettings);
                own.put("refresher.worker.id", "bench-worker-" + i);
                workers.add(AppProcess.start(phase + "-worker-" + i + "-of-" + workerCount, "worker", "512m",
                        Benchmark.properties(common, own)));
            }
            workers.forEach(w -> w.awaitHealthy(Benchmark.HEALTHY_WITHIN));
            return workers;
        } catch (RuntimeException e) {
            workers.forEach(AppProcess::close);
            throw e;
        }
    }

    /**
     * The first cycle's refreshes come late while the ladder passes on the seeding's burst (all messages published at
     * once, whole levels expiring together): at 100,000 connections up to 30 s late, its tail reaching past the cycle's
     * end into what would be measured. Waits until the workers' refreshes of the last {@link #SETTLE_WINDOW} were all
     * at most {@link #SETTLED_LATENESS} late, for at most another cycle; what is measured after that is measured
     * whole, however late.
     */
    static void awaitFirstCycleDrained(List<AppProcess> workers, Duration cycle) {
        long started = System.nanoTime();
        long deadline = started + cycle.toNanos();
        LatenessHistogram before = lateness(workers);
        while (System.nanoTime() < deadline) {
            AppProcess.sleep(SETTLE_WINDOW);
            LatenessHistogram now = lateness(workers);
            LatenessHistogram window = now.minus(before);
            before = now;
            if (window.count() > 0 && window.maxBound() <= SETTLED_LATENESS) {
                Benchmark.log(
                        String.format(java.util.Locale.ROOT, "  the first cycle's late refreshes drained %s s after "
                                + "the cycle", Benchmark.seconds(started)));
                return;
            }
        }
        Benchmark.log("  the first cycle's late refreshes had not drained after another cycle; measuring anyway");
    }

    static LatenessHistogram lateness(List<AppProcess> workers) {
        LatenessHistogram sum = LatenessHistogram.empty();
        for (AppProcess worker : workers) {
            sum = sum.plus(scrape(worker));
        }
        return sum;
    }

    static String scrape(AppProcess app) {
        return app.get("/actuator/prometheus");
    }
}
