package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.Registered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tail-latency scenario (issue 19, point 4): the steady state's connections and load, with a share of the
 * provider's calls hanging for the whole request timeout or answering slowly, aimed by the sandbox at a share of the
 * connections; what is measured is how late the <em>other</em> connections are refreshed and whether their access
 * tokens expire first. Each tail runs against fresh workers, then against the pooled sweep (the cron job it replaces)
 * on the same connections. Each run starts from due times spread over the cycle and runs one cycle without the tail,
 * unmeasured (the workers' first cycle carries the seeding's burst; the sweep's brings the sandbox's token expiries in
 * line with the spread due times), then the tail is switched on and the window measured.
 */
final class TailScenario {

    /** What runs while a window is measured: the workers need only time, the sweep is the run itself. */
    @FunctionalInterface
    private interface Window {
        void run() throws InterruptedException;
    }

    private final BenchSettings settings;
    private final Map<String, String> common;
    private final Seeder seeder;
    private final SandboxClient provider;
    private final SweepBaseline sweep;
    private final Runnable purgeQueues;
    private final Function<List<AppProcess>, CpuMeter> meter;

    /**
     * @param sweep the pooled sweep as the catch-up runs it; this scenario gives it the steady state's lead time and
     *            its own request timeout
     * @param purgeQueues empties the run's queues, so that stopped workers' messages do not go on through the ladder
     * @param meter the CPU of the benchmark's processes, with these workers
     */
    TailScenario(BenchSettings settings, Map<String, String> common, Seeder seeder, SandboxClient provider,
            SweepBaseline sweep, Runnable purgeQueues, Function<List<AppProcess>, CpuMeter> meter) {
        this.settings = settings;
        this.common = common;
        this.seeder = seeder;
        this.provider = provider;
        this.sweep = sweep.withProvider(settings.steady().lead(), settings.tail().requestTimeout());
        this.purgeQueues = purgeQueues;
        this.meter = meter;
    }

    List<TailResult> run(ClaimLog claims) throws InterruptedException {
        BenchSettings.Steady steady = settings.steady();
        TailSettings tail = settings.tail();
        provider.accessTokenLifetime(steady.cycle().plus(steady.lead()));
        Set<String> connections = Set.copyOf(seeder.realmIdsOfFirst(steady.connections()));
        List<TailResult> results = new ArrayList<>();
        for (TailCase tailCase : tail.cases()) {
            Duration lifetime = steady.cycle().plus(steady.lead());
            Benchmark.log(String.format(Locale.ROOT, "tail %s: %s; %,d connections due over a %d-s cycle (tokens "
                    + "live %d s), %d s measured per run after an unmeasured cycle without the tail", tailCase.name(),
                    tailCase.describe(tail.requestTimeout()), connections.size(), steady.cycle().toSeconds(),
                    lifetime.toSeconds(), tail.duration().toSeconds()));
            TailRun workers = workers(tailCase, claims);
            purgeQueues.run();
            TailRun swept = settings.sweeps() ? sweep(tailCase, claims) : null;
            TailGroups groups = workers.groups();
            results.add(new TailResult(tailCase, connections.size(), count(connections, groups.hang()), count(
                    connections, groups.slow()), workers, swept));
        }
        return results;
    }

    private TailRun workers(TailCase tailCase, ClaimLog claims) {
        BenchSettings.Steady steady = settings.steady();
        String provider = "refresher.providers." + Benchmark.PROVIDER;
        Map<String, String> scenario = Map.of(provider + ".refresh-lead-time", steady.lead().toSeconds() + "s",
                provider + ".request-timeout", settings.tail().requestTimeout().toSeconds() + "s");
        List<AppProcess> workers = WorkerProcesses.start("tail-" + tailCase.name(), settings, steady.workers(),
                common, scenario);
        try {
            List<Registered> spread = seeder.spreadOverCycle(steady.connections(), steady.cycle(), steady.lead());
            seeder.publishAtDueTimes(spread);
            AppProcess.sleep(steady.cycle());
            WorkerProcesses.awaitFirstCycleDrained(workers, steady.cycle());
            return measure(tailCase, "token-refresher, " + steady.workers() + " workers", claims, workers,
                    () -> AppProcess.sleep(settings.tail().duration()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            workers.forEach(AppProcess::close);
        }
    }

    private TailRun sweep(TailCase tailCase, ClaimLog claims) throws InterruptedException {
        BenchSettings.Steady steady = settings.steady();
        int threads = settings.concurrency();
        seeder.spreadOverCycle(steady.connections(), steady.cycle(), steady.lead());
        // Every connection refreshed once before the window, the last due of the cycle too (a pass or two after it):
        // until then the sandbox's expiry of a connection's token is whatever the workers left, and one still due
        // from the cycle would count as refreshed after expiry in the window (seen: 465 of them, the sweep's own
        // lateness under 16 s against a 20-s lead).
        sweep.runEvery(steady.sweepInterval(), threads, steady.cycle().plus(steady.sweepInterval().multipliedBy(2)),
                late -> {
                });
        return measure(tailCase, "pooled sweep, " + threads + " threads, a pass every " + steady.sweepInterval()
                .toSeconds() + " s", claims, List.of(),
                () -> sweep.runEvery(steady
                        .sweepInterval(), threads, settings.tail().duration(), late -> {
                        }));
    }

    /** Switches the tail on, runs the window, reads what it did and switches the tail off again. */
    private TailRun measure(TailCase tailCase, String name, ClaimLog claims, List<AppProcess> workers,
            Window window) throws InterruptedException {
        Benchmark.log("  " + name + ": the tail on, measuring");
        claims.clear();
        LatenessHistogram histogramBefore = workers.isEmpty() ? null : WorkerProcesses.lateness(workers);
        TailGroups before = provider.tail(tailCase.sandboxTail(settings.tail().requestTimeout()));
        long started = System.nanoTime();
        OtherLoad elsewhere = new OtherLoad(meter.apply(workers));
        window.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        double otherCpu = elsewhere.cpuSeconds();
        List<ClaimLog.Claim> claimed = claims.claims();
        List<ClaimLog.Claim> waiting = claims.waiting();
        // read before the tail is switched off: off, every connection counts as one of the others
        TailGroups after = provider.tailGroups();
        provider.tailOff();
        LatenessHistogram workersLateness = workers.isEmpty()
                ? null
                : WorkerProcesses.lateness(workers).minus(histogramBefore);
        Set<String> delayed = after.delayed().realmIds();
        List<Double> others = claimed.stream().filter(c -> !delayed.contains(c.realmId())).map(
                ClaimLog.Claim::secondsLate).toList();
        List<Double> othersWaiting = waiting.stream().filter(c -> !delayed.contains(c.realmId())).map(
                ClaimLog.Claim::secondsLate).toList();
        TailRun run = new TailRun(name, seconds, ExactLateness.of(others), others.size(), ExactLateness.of(
                othersWaiting), othersWaiting.size(), after.minus(before), workersLateness, otherCpu);
        TailReport.log(run);
        return run;
    }

    private static long count(Set<String> connections, TailGroups.Group group) {
        Set<String> in = new HashSet<>(group.realmIds());
        in.retainAll(connections);
        return in.size();
    }
}
