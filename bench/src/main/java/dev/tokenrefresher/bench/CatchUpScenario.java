package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.Registered;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The catch-up scenario: every connection due at once, as after an outage, drained by the workers, once per worker
 * count; then the cron-sweep baselines on the same connections, one at a time and pooled. Before anything is measured,
 * the pooled sweep warms up the sandbox.
 */
final class CatchUpScenario {

    private final BenchSettings settings;
    private final Map<String, String> common;
    private final Seeder seeder;
    private final SandboxClient provider;
    private final SweepBaseline sweep;
    private final MeteredProcesses processes;
    private final IntSupplier consumers;

    /**
     * @param sweep the pooled sweep, for the warm-up and the baselines
     * @param consumers how many consumers the provider's work queue has now
     */
    CatchUpScenario(BenchSettings settings, Map<String, String> common, Seeder seeder, SandboxClient provider,
            SweepBaseline sweep, MeteredProcesses processes, IntSupplier consumers) {
        this.settings = settings;
        this.common = common;
        this.seeder = seeder;
        this.provider = provider;
        this.sweep = sweep;
        this.processes = processes;
        this.consumers = consumers;
    }

    /** @return a run per worker count, then the sweeps' runs */
    List<RunResult> run() throws InterruptedException {
        warmUpSandbox();
        List<RunResult> results = new ArrayList<>();
        for (int workers : settings.workerCounts()) {
            results.add(workers(workers));
        }
        // the same concurrency as every catch-up: threads = refreshes in flight in total
        int maxThreads = settings.concurrency();
        for (int threads : settings.sweeps() && !settings.tail().only()
                ? List.of(1, maxThreads)
                : List.<Integer>of()) {
            seeder.rearmAll();
            results.add(sweep(threads));
        }
        return results;
    }

    /**
     * Before anything is measured, the pooled sweep refreshes {@code sandboxWarmup} connections: the sandbox's JIT
     * compiles its hot code then, not within the first catch-up (whose measured CPU held 16 s of it), and the sweep's
     * code in this JVM is compiled before the sweep is measured.
     */
    private void warmUpSandbox() throws InterruptedException {
        if (settings.sandboxWarmup() == 0) {
            return;
        }
        long started = System.nanoTime();
        seeder.rearmOnly(settings.sandboxWarmup());
        long refreshed = sweep.withColdStartTimeout().run(settings.concurrency(), settings.runLimit(), new Progress());
        Benchmark.log(String.format(java.util.Locale.ROOT, "warmed up the sandbox and the sweep's code: %,d refreshes "
                + "by the pooled sweep in %s s, not measured", refreshed, Benchmark.seconds(started)));
    }

    private RunResult workers(int workerCount) {
        List<AppProcess> workers = WorkerProcesses.start("catch-up-" + workerCount, settings, workerCount, common,
                Map.of());
        try {
            if (settings.warmup() > 0) {
                long warmBase = provider.refreshes();
                Instant warmStart = Instant.now();
                List<Registered> warm = seeder.rearm(settings.warmup());
                seeder.publishDueNow(warm);
                long warmDeadline = System.nanoTime() + settings.runLimit().toNanos();
                // until every warm-up refresh is stored, not only answered: a store after the catch-up's rearm would
                // make that connection's catch-up message stale (seen: 3 of 2,000 never refreshed, the run ending at
                // its limit)
                while ((provider.refreshes() - warmBase < warm.size()
                        || seeder.notStoredSince(warm.size(), warmStart) > 0) && System.nanoTime() < warmDeadline) {
                    AppProcess.sleep(Duration.ofMillis(200));
                }
                Benchmark.log("  warmed up the worker(s) with " + warm.size() + " refreshes");
            }
            List<Registered> connections = seeder.rearmAll();
            // As after an outage: the due messages wait in the queue while the consumers are paused (a worker pauses
            // them while its provider's breaker is open) and the catch-up starts when they resume. Publishing them
            // is not part of it: it happened over the outage, and the sweep has no such step either.
            updateBreakers(workers, "FORCE_OPEN");
            awaitConsumers(0);
            Benchmark.log("catch-up with " + workerCount + " worker(s): " + connections.size() + " due messages "
                    + "published with the consumers paused; resuming them");
            seeder.publishDueNow(connections);
            CpuMeter cpu = processes.meter(workers);
            var statsBefore = provider.stats();
            long base = statsBefore.get("refreshes").asLong();
            Progress progress = new Progress();
            CpuMeter.Reading before = cpu.read();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> progress.sample(provider.refreshes() - base), 0, 500,
                    TimeUnit.MILLISECONDS);
            updateBreakers(workers, "CLOSE");
            long deadline = System.nanoTime() + settings.runLimit().toNanos();
            long done;
            while ((done = provider.refreshes() - base) < connections.size() && System.nanoTime() < deadline) {
                AppProcess.sleep(Duration.ofMillis(200));
            }
            double seconds = progress.elapsedSeconds();
            CpuMeter.Reading after = cpu.read();
            sampler.shutdownNow();
            progress.sample(done);
            var statsAfter = provider.stats();
            Benchmark.log(String.format(java.util.Locale.ROOT, "  %,d refreshed in %.1f s; overlapping %d, "
                    + "invalid_grant %d", done, seconds,
                    statsAfter.get("overlappingRefreshes").asLong() - statsBefore
                            .get("overlappingRefreshes").asLong(),
                    statsAfter.get("invalidGrants").asLong() - statsBefore.get("invalidGrants").asLong()));
            return new RunResult("token-refresher, " + workerCount + " worker" + (workerCount == 1 ? "" : "s"),
                    workerCount + " × " + settings.concurrencyPerWorker(workerCount) + " in flight", done, seconds,
                    CpuMeter.seconds(before, after), progress.samples(), done >= connections.size());
        } finally {
            workers.forEach(AppProcess::close);
        }
    }

    /**
     * Moves every worker's breaker of the provider through resilience4j's actuator endpoint: {@code FORCE_OPEN} pauses
     * the worker's consumers, {@code CLOSE} resumes them.
     */
    private static void updateBreakers(List<AppProcess> workers, String updateState) {
        workers.forEach(worker -> worker.post("/actuator/circuitbreakers/" + Benchmark.PROVIDER, "{\"updateState\":\""
                + updateState + "\"}"));
    }

    private void awaitConsumers(int expected) {
        long deadline = System.nanoTime() + Benchmark.HEALTHY_WITHIN.toNanos();
        while (consumers.getAsInt() != expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the work queue still has " + consumers.getAsInt()
                        + " consumer(s), not " + expected + ", after " + Benchmark.HEALTHY_WITHIN);
            }
            AppProcess.sleep(Duration.ofMillis(100));
        }
    }

    /** One pass with {@code threads} refreshing at once over every connection, all due now, until done or its limit. */
    private RunResult sweep(int threads) throws InterruptedException {
        CpuMeter cpu = processes.meter(List.of()).component("bench JVM (the sweep)", () -> List.of(ProcessHandle
                .current().pid()));
        Progress progress = new Progress();
        long base = provider.refreshes();
        CpuMeter.Reading before = cpu.read();
        Benchmark.log("sweep with " + threads + " thread(s), for at most " + settings.sweepLimit(threads).toSeconds()
                + " s");
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(progress::sampleLatest, 0, 500, TimeUnit.MILLISECONDS);
        long done = sweep.run(threads, settings.sweepLimit(threads), progress);
        double seconds = progress.elapsedSeconds();
        CpuMeter.Reading after = cpu.read();
        sampler.shutdownNow();
        progress.sample(done);
        Benchmark.log(String.format(java.util.Locale.ROOT, "  %,d refreshed in %.1f s (provider counted %,d)", done,
                seconds, provider.refreshes() - base));
        long total = settings.connections();
        return new RunResult(threads == 1 ? "cron sweep, one at a time" : "pooled sweep, " + threads + " threads",
                threads + " in flight", done, seconds, CpuMeter.seconds(before, after), progress.samples(),
                done >= total);
    }
}
