package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.Registered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The steady-state scenario: connections spread evenly over one refresh cycle, refreshed by the workers, then by the
 * pooled sweep continuing on the same connections.
 */
final class SteadyScenario {

    private final BenchSettings settings;
    private final Map<String, String> common;
    private final Seeder seeder;
    private final SandboxClient provider;
    private final SweepBaseline sweep;
    private final MeteredProcesses processes;
    private final JdbcClient jdbc;
    private final Runnable purgeQueues;

    /**
     * @param sweep the pooled sweep as the catch-up runs it; this scenario gives it the steady state's lead time
     * @param purgeQueues empties the run's queues, so that the stopped workers' messages do not go on through the ladder
     */
    SteadyScenario(BenchSettings settings, Map<String, String> common, Seeder seeder, SandboxClient provider,
            SweepBaseline sweep, MeteredProcesses processes, JdbcClient jdbc, Runnable purgeQueues) {
        this.settings = settings;
        this.common = common;
        this.seeder = seeder;
        this.provider = provider;
        this.sweep = sweep;
        this.processes = processes;
        this.jdbc = jdbc;
        this.purgeQueues = purgeQueues;
    }

    /** @return the workers' run, then the sweep's unless the sweeps are left out */
    List<SteadyResult> run() throws InterruptedException {
        List<SteadyResult> steady = new ArrayList<>();
        SteadyResult ours = workers();
        steady.add(ours);
        if (settings.sweeps()) {
            purgeQueues.run();
            steady.add(sweep(sweep.withRefreshLeadTime(settings.steady().lead()), ours));
        }
        return steady;
    }

    /**
     * The steady state: connections spread evenly over one refresh cycle, the sandbox issuing access tokens that live
     * one cycle plus the lead time, run for a few cycles. Lateness comes from the workers' own histogram; a refresh
     * after its access token expired is counted by the sandbox.
     */
    private SteadyResult workers() {
        BenchSettings.Steady steady = settings.steady();
        provider.accessTokenLifetime(steady.cycle().plus(steady.lead()));
        List<AppProcess> workers = WorkerProcesses.start("steady", settings, steady.workers(), common, Map.of(
                "refresher.providers." + Benchmark.PROVIDER + ".refresh-lead-time", steady.lead().toSeconds() + "s"));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            List<Registered> connections = seeder.spreadOverCycle(steady.connections(), steady.cycle(), steady
                    .lead());
            Benchmark.log(String.format(java.util.Locale.ROOT, "steady state: %,d connections due over a %d-s cycle, "
                    + "%d worker(s); the first cycle (fresh workers, the seeding's publish) is not measured, then %d "
                    + "s are", connections.size(), steady.cycle().toSeconds(), steady.workers(),
                    steady.duration()
                            .toSeconds()));
            seeder.publishAtDueTimes(connections);
            AppProcess.sleep(steady.cycle());
            WorkerProcesses.awaitFirstCycleDrained(workers, steady.cycle());
            CpuMeter cpu = processes.meter(workers);
            var statsBefore = provider.stats();
            long base = statsBefore.get("refreshes").asLong();
            LatenessHistogram before = WorkerProcesses.lateness(workers);
            Progress progress = new Progress();
            long walBefore = TableSizes.walPosition(jdbc);
            CpuMeter.Reading cpuBefore = cpu.read();
            sampler.scheduleAtFixedRate(() -> progress.sample(provider.refreshes() - base), 0, 2, TimeUnit.SECONDS);
            AppProcess.sleep(steady.duration());
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
            double seconds = progress.elapsedSeconds();
            CpuMeter.Reading cpuAfter = cpu.read();
            long walBytes = TableSizes.walPosition(jdbc) - walBefore;
            LatenessHistogram measured = WorkerProcesses.lateness(workers).minus(before);
            var statsAfter = provider.stats();
            long refreshes = statsAfter.get("refreshes").asLong() - base;
            RunResult run = new RunResult("token-refresher, " + steady.workers() + " workers, steady state", steady
                    .workers() + " × " + settings.concurrencyPerWorker(steady.workers()) + " in flight", refreshes,
                    seconds, CpuMeter.seconds(cpuBefore, cpuAfter), progress.samples(), true);
            long afterExpiry = delta(statsBefore, statsAfter, "refreshesAfterAccessExpiry");
            long overlapping = delta(statsBefore, statsAfter, "overlappingRefreshes");
            long invalidGrants = delta(statsBefore, statsAfter, "invalidGrants");
            // the workers' lateness is known by histogram bucket only
            UnrecordedWindow unrecorded = UnrecordedWindow.of(workers.stream().map(WorkerProcesses::scrape).toList());
            SteadyResult result = new SteadyResult(steady, connections.size(), run, measured, measured.maxBound(), null,
                    afterExpiry, overlapping, invalidGrants, unrecorded, walBytes);
            Benchmark.log(String.format(java.util.Locale.ROOT, "  %,d refreshes in %.0f s (%.0f/s); lateness p50 <= "
                    + "%.3f s, p99 <= %.3f s, max <= %.3f s; after expiry %d, overlapping %d, invalid_grant %d; "
                    + "answer to durable %s", refreshes, seconds, run.rate(), measured.quantile(0.5),
                    measured
                            .quantile(0.99),
                    measured.maxBound(), afterExpiry, overlapping, invalidGrants, unrecorded.describe()));
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            sampler.shutdownNow();
            workers.forEach(AppProcess::close);
        }
    }

    /**
     * The pooled sweep ({@code pooled}, with the steady state's lead time) on the steady state's connections, continuing where the workers left them (their access tokens
     * and due times as the workers stored them): a pass every {@code sweepInterval} over what is due, with as many
     * threads as the workers had refreshes in flight. One pass over what came due while the workers stopped is not
     * measured, then one cycle is: every connection refreshed about once. Lateness is measured as the workers measure
     * it and counted into their buckets.
     */
    private SteadyResult sweep(SweepBaseline pooled, SteadyResult ours) throws InterruptedException {
        BenchSettings.Steady steady = settings.steady();
        int threads = settings.concurrency();
        Benchmark.log(String.format(java.util.Locale.ROOT, "steady state, pooled sweep: a pass every %d s with %d "
                + "threads over the same %,d connections, measured for one cycle (%d s)",
                steady.sweepInterval()
                        .toSeconds(),
                threads, ours.connections(), steady.cycle().toSeconds()));
        long handedOver = pooled.run(threads, steady.cycle(), new Progress());
        Benchmark.log("  " + handedOver + " refreshed that came due while the workers stopped (not measured)");
        CpuMeter cpu = processes.meter(List.of()).component("bench JVM (the sweep)", () -> List.of(ProcessHandle
                .current().pid()));
        var statsBefore = provider.stats();
        long base = statsBefore.get("refreshes").asLong();
        Progress progress = new Progress();
        CpuMeter.Reading cpuBefore = cpu.read();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> progress.sample(provider.refreshes() - base), 0, 2, TimeUnit.SECONDS);
        List<Double> late = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            pooled.runEvery(steady.sweepInterval(), threads, steady.cycle(), late::add);
        } finally {
            sampler.shutdownNow();
        }
        double seconds = progress.elapsedSeconds();
        CpuMeter.Reading cpuAfter = cpu.read();
        var statsAfter = provider.stats();
        long refreshes = statsAfter.get("refreshes").asLong() - base;
        progress.sample(refreshes);
        RunResult run = new RunResult("pooled sweep, " + threads + " threads, a pass every " + steady.sweepInterval()
                .toSeconds() + " s", threads + " in flight", refreshes, seconds, CpuMeter.seconds(cpuBefore,
                        cpuAfter),
                progress.samples(), true);
        LatenessHistogram lateness = LatenessHistogram.of(late, ours.lateness());
        ExactLateness exact = ExactLateness.of(late);
        long afterExpiry = delta(statsBefore, statsAfter, "refreshesAfterAccessExpiry");
        long overlapping = delta(statsBefore, statsAfter, "overlappingRefreshes");
        long invalidGrants = delta(statsBefore, statsAfter, "invalidGrants");
        Benchmark.log(String.format(java.util.Locale.ROOT, "  %,d refreshes in %.0f s (%.0f/s); lateness %s; after "
                + "expiry %d, overlapping %d, invalid_grant %d", refreshes, seconds, run.rate(),
                exact == null
                        ? "–"
                        : exact,
                afterExpiry, overlapping, invalidGrants));
        return new SteadyResult(steady, ours.connections(), run, lateness, lateness.maxBound(), exact, afterExpiry,
                overlapping, invalidGrants, null, -1);
    }

    private static long delta(JsonNode before, JsonNode after, String counter) {
        return after.get(counter).asLong() - before.get(counter).asLong();
    }
}
