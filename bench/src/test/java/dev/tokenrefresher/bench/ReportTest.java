package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final String WORKERS_SCRAPE = """
            refresher_refresh_lateness_seconds_bucket{provider="quickbooks",le="0.01"} 300
            refresher_refresh_lateness_seconds_bucket{provider="quickbooks",le="1.0"} 300
            refresher_refresh_lateness_seconds_bucket{provider="quickbooks",le="5.0"} 300
            refresher_refresh_lateness_seconds_bucket{provider="quickbooks",le="10.0"} 300
            refresher_refresh_lateness_seconds_bucket{provider="quickbooks",le="+Inf"} 300
            refresher_refresh_unrecorded_seconds{application="token-refresher-worker",quantile="0.5"} 0.0012
            refresher_refresh_unrecorded_seconds{application="token-refresher-worker",quantile="0.99"} 0.0045
            refresher_refresh_unrecorded_seconds_count{application="token-refresher-worker"} 300
            refresher_refresh_unrecorded_seconds_max{application="token-refresher-worker"} 0.0091
            """;

    @TempDir
    Path dir;

    private static RunResult run(String name, long refreshes, Map<String, Double> cpuSeconds) {
        return new RunResult(name, "600 in flight", refreshes, 60, cpuSeconds, List.of(new Progress.Sample(0, 0),
                new Progress.Sample(60, refreshes)), true);
    }

    @Test
    void theSweepsSteadyStateStandsBesideTheWorkersWithItsExactLatenessAndOnlyTheWorkersFaceTheTargets()
            throws IOException {
        BenchSettings settings = BenchSettings.parse("--quick", "--report=" + dir.resolve("report.md"));
        LatenessHistogram workersLateness = LatenessHistogram.empty().plus(WORKERS_SCRAPE);
        SteadyResult workers = new SteadyResult(settings.steady(), 1_000,
                run("token-refresher, 2 workers, steady state",
                        300, Map.of("workers", 9.0)),
                workersLateness, workersLateness.maxBound(), null, 0, 0,
                0, UnrecordedWindow.of(List.of(WORKERS_SCRAPE, WORKERS_SCRAPE.replace("0.0091", "0.0200"))));
        List<Double> sweepLate = List.of(0.5, 2.5, 4.9, 5.1);
        LatenessHistogram sweepLateness = LatenessHistogram.of(sweepLate, workersLateness);
        SteadyResult sweep = new SteadyResult(settings.steady(), 1_000,
                run("pooled sweep, 600 threads, a pass every 5 s",
                        4, Map.of("bench JVM (the sweep)", 0.4)),
                sweepLateness, sweepLateness.maxBound(), ExactLateness.of(
                        sweepLate),
                2, 0, 0, null);

        Report.write(settings, new Environment("2026-11-29T00:00:00Z", Map.of("CPU", "test")), List.of(),
                List.of(workers, sweep), null);

        String report = Files.readString(dir.resolve("report.md"));
        assertThat(report).contains(
                "| token-refresher, 2 workers, steady state | 300 | 5 | <= 0.010 s | <= 0.010 s | <= 0.010 s | 0 | 0 | 0 "
                        + "| 30.00 | 9.0 | – |",
                "| pooled sweep, 600 threads, a pass every 5 s | 4 | 0 | <= 5.000 s (2.500 s) | <= 10.000 s (5.100 s) "
                        + "| <= 10.000 s (5.100 s) | 2 | 0 | 0 | 100.00 | – | 0.4 |",
                "| target (token-refresher, 2 workers, steady state) | measured | met |",
                "| no access token expired before its refresh | 0 | yes |",
                // two workers: the highest quantiles and maximum, the answers of both
                "(the workers' `refresher.refresh.unrecorded`, over its last two minutes, the highest worker's "
                        + "figure): p50 1.2 ms, p99 4.5 ms, max 20.0 ms, over 600 answers.");
        assertThat(dir.resolve("report-lateness.png")).isNotEmptyFile();
    }

    @Test
    void theSettingsListShowsExperimentsButHidesSecrets() throws IOException {
        BenchSettings settings = BenchSettings.parse("--quick", "--report=" + dir.resolve("settings.md"),
                "--property=refresher.messaging.ladder-early-fraction=0", "--worker-property=refresher.crypto.key=k3y");

        Report.write(settings, new Environment("2026-11-29T00:00:00Z", Map.of("CPU", "test")), List.of(), List.of(),
                null);

        assertThat(Files.readString(dir.resolve("settings.md"))).contains(
                "`refresher.messaging.ladder-early-fraction=0`", "`refresher.crypto.key=******`")
                .doesNotContain("k3y");
    }
}
