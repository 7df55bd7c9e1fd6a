package dev.tokenrefresher.bench;

import java.util.List;

/** The last lines of the benchmark's console output, once the report is written: every run's figures again. */
final class ConsoleSummary {

    private ConsoleSummary() {
    }

    /**
     * @param capacity null when the steady state did not run
     */
    static void log(List<RunResult> results, List<SteadyResult> steady, Capacity capacity, List<TailResult> tail) {
        for (RunResult result : results) {
            Benchmark.log(String.format(java.util.Locale.ROOT, "%-32s %,8d refreshes in %6.1f s = %,6.0f/s, %.2f CPU "
                    + "ms per refresh %s", result.name(), result.refreshes(), result.seconds(), result.rate(),
                    result
                            .cpuMillisPerRefresh(),
                    result.cpuSeconds()));
        }
        for (SteadyResult result : steady) {
            Benchmark.log(String.format(java.util.Locale.ROOT, "%-32s %,8d refreshes in %6.1f s = %,6.0f/s, %.2f CPU "
                    + "ms per refresh; lateness p99 <= %.3f s, max <= %.3f s; %d after expiry", result.run().name(),
                    result.run().refreshes(), result.run().seconds(), result.run().rate(), result.run()
                            .cpuMillisPerRefresh(),
                    result.lateness().quantile(0.99), result.maxLatenessSeconds(), result.afterExpiry()));
        }
        if (capacity != null) {
            CapacityReport.log(capacity);
        }
        for (TailResult result : tail) {
            Benchmark.log("tail " + result.tail().name() + ":");
            TailReport.log(result.workers());
            if (result.sweep() != null) {
                TailReport.log(result.sweep());
            }
        }
    }
}
