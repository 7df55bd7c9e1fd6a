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
                0, UnrecordedWindow.of(List.of(WORKERS_SCRAPE, WORKERS_SCRAPE.replace("0.0091", "0.0200"))), 1_200_000);
        List<Double> sweepLate = List.of(0.5, 2.5, 4.9, 5.1);
        LatenessHistogram sweepLateness = LatenessHistogram.of(sweepLate, workersLateness);
        SteadyResult sweep = new SteadyResult(settings.steady(), 1_000,
                run("pooled sweep, 600 threads, a pass every 5 s",
                        4, Map.of("bench JVM (the sweep)", 0.4)),
                sweepLateness, sweepLateness.maxBound(), ExactLateness.of(
                        sweepLate),
                2, 0, 0, null, -1);

        Report.write(settings, new Environment("2026-11-29T00:00:00Z", Map.of("CPU", "test")), List.of(),
                List.of(workers, sweep), null, List.of(), null);

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
                null, List.of(), null);

        assertThat(Files.readString(dir.resolve("settings.md"))).contains(
                "`refresher.messaging.ladder-early-fraction=0`", "`refresher.crypto.key=******`")
                .doesNotContain("k3y");
    }

    private static TailGroups.Group group(long connections, long calls, long hung, long slow, long refreshes,
            long afterExpiry, String... realmIds) {
        return new TailGroups.Group(connections, calls, hung, slow, refreshes, afterExpiry, 0, 0, java.util.Set.of(
                realmIds));
    }

    @Test
    void theTailRunsOnlyReportTheOtherConnectionsLatenessBesideTheSweepAndFaceIssue19sTarget() throws IOException {
        BenchSettings settings = BenchSettings.parse("--quick", "--tail-only", "--report=" + dir.resolve("tail.md"));
        TailGroups workersGroups = new TailGroups(group(111, 222, 111, 0, 111, 40, "9130000000000001"), group(0, 0,
                0, 0, 0, 0), group(889, 889, 0, 0, 889, 300));
        TailRun workers = new TailRun("token-refresher, 2 workers", 30, ExactLateness.of(List.of(
                0.0, 8.0, 31.5)), 3, ExactLateness.of(List.of(12.0, 40.25)), 2, workersGroups, LatenessHistogram
                        .empty().plus(WORKERS_SCRAPE),
                1.5);
        TailRun sweep = new TailRun("pooled sweep, 600 threads, a pass every 5 s", 30, ExactLateness
                .of(List.of(0.5, 4.0, 9.0)), 3, null, 0,
                new TailGroups(group(111, 222, 111, 0, 111, 0), group(0, 0, 0, 0, 0, 0), group(889, 889, 0, 0, 889,
                        0)),
                null, 14.25);

        Report.write(settings, new Environment("2026-11-29T00:00:00Z", Map.of("CPU", "test")), List.of(), List.of(),
                null, List.of(new TailResult(TailCase.parse("hang10"), 1_000, 111, 0, workers, sweep)), null);

        String report = Files.readString(dir.resolve("tail.md"));
        assertThat(report).doesNotContain("## Catch-up", "## Against the targets").contains(
                "### `hang10`: 10.0 % of calls hang for the whole request timeout (6 s): 11.1 % of the connections",
                "Of the 1,000 connections, 111 hang and 0 are slow; the other 889 are measured.",
                "| token-refresher, 2 workers | 1,000 | 33 | 8.000 s | 31.500 s | 31.500 s | 2 still due (40.250 s) | "
                        + "300 | 340 | 9.99 % / 0.0 % | 0 | 0 | <= 0.010 s / <= 0.010 s |",
                "| pooled sweep, 600 threads, a pass every 5 s | 1,000 | 33 | 4.000 s | 9.000 s | 9.000 s | none "
                        + "still due | 0 | 0 | 9.99 % / 0.0 % | 0 | 0 | – |",
                "token-refresher, 2 workers: **not met**",
                "in the window: 1.5 CPU s with the workers, 14.3 with the sweep, of ");
    }
}
