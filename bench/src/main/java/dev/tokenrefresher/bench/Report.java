package dev.tokenrefresher.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes the Markdown report and its chart: every figure with the machine, versions and settings it came from. */
final class Report {

    private Report() {
    }

    /**
     * @param runs the catch-ups and their sweeps (empty when only the tail scenario ran)
     * @param steady the steady state's runs, the workers' first (empty when it was not run)
     * @param tail the tail scenario's (empty when it was not run)
     * @param capacity the steady state's costs per refresh and the sizes they make ({@code null} without it)
     */
    static void write(BenchSettings settings, Environment environment, List<RunResult> runs,
            List<SteadyResult> steady, Footprint.Result footprint, List<TailResult> tail, Capacity capacity)
            throws IOException {
        Path report = settings.report();
        Files.createDirectories(report.toAbsolutePath().getParent());
        // charts are named after the report, so that reports of separate runs can sit side by side
        String base = report.getFileName().toString().replaceFirst("\\.md$", "");
        Path chart = report.resolveSibling(base + "-throughput.png");
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `").append(settings.command()).append("` on ")
                .append(environment.date()).append(". Every component runs on this one machine: the apps as separate ")
                .append("JVMs from their jars, the local PostgreSQL and RabbitMQ, the sandbox provider.\n\n");
        md.append("## Machine and versions\n\n| | |\n|---|---|\n");
        environment.facts().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Settings\n\n| | |\n|---|---|\n");
        if (!runs.isEmpty()) {
            md.append("| connections, all due at once | ").append(String.format(Locale.ROOT, "%,d", settings
                    .connections())).append(" (access tokens expired, as after a long outage) |\n");
            md.append("| worker processes | ").append(settings.workerCounts()).append(" (one catch-up each) |\n");
        }
        md.append("| provider latency | ").append(settings.latency().toMillis()).append(" ms per token request |\n");
        md.append("| refreshes in flight | ").append(settings.concurrency()).append(
                " in total, split evenly among a run's worker processes; the pooled sweep's threads |\n");
        md.append("| warm-up before the first run | ").append(String.format(Locale.ROOT, "%,d", settings
                .sandboxWarmup())).append(" refreshes by the pooled sweep, not measured: the sandbox's JIT and the")
                .append(" sweep's code in the benchmark's JVM compiled before anything is measured |\n");
        if (!runs.isEmpty()) {
            md.append("| warm-up before each catch-up | ").append(String.format(Locale.ROOT, "%,d", settings
                    .warmup())).append(" refreshes by the freshly started workers, not measured |\n");
        }
        if (!settings.sharedProperties().isEmpty()) {
            md.append("| settings of every app besides the defaults | ");
            settings.sharedProperties().forEach((k, v) -> md.append('`').append(k).append('=').append(BenchSettings
                    .shown(k, v)).append("` "));
            md.append("|\n");
        }
        if (!settings.workerProperties().isEmpty()) {
            md.append("| worker settings besides the defaults | ");
            settings.workerProperties().forEach((k, v) -> md.append('`').append(k).append('=').append(BenchSettings
                    .shown(k, v)).append("` "));
            md.append("|\n");
        }
        if (!runs.isEmpty()) {
            md.append("| sweep baselines | same sandbox, database and connections; stopped after ")
                    .append(settings.sweepLimit(1).toSeconds()).append(" s (one at a time) and ").append(settings
                            .sweepLimit(settings.concurrency()).toSeconds())
                    .append(" s (pooled) if not done |\n\n");
        }
        if (!runs.isEmpty()) {
            throughputChart(runs, chart);
            catchUpSection(md, runs, chart);
        }
        if (!steady.isEmpty()) {
            Path latenessChart = report.resolveSibling(base + "-lateness.png");
            latenessChart(steady, latenessChart);
            steadySection(md, steady, latenessChart);
        }
        if (!tail.isEmpty()) {
            TailReport.section(md, settings, tail);
        }
        if (footprint != null) {
            footprintSection(md, footprint);
        }
        if (capacity != null) {
            CapacityReport.section(md, capacity);
        }
        md.append("\n## Optimisations\n\nEach change the figures pointed to, with the runs before and after it: ")
                .append("[benchmark-optimisations.md](benchmark-optimisations.md).\n");
        Files.writeString(report, md.toString());
    }

    private static void catchUpSection(StringBuilder md, List<RunResult> runs, Path chart) {
        md.append("## Catch-up: everything due at once\n\n");
        Set<String> components = new LinkedHashSet<>();
        runs.forEach(r -> components.addAll(r.cpuSeconds().keySet()));
        md.append("| run | setup | refreshed | seconds | refreshes/s | CPU ms per refresh |");
        components.forEach(c -> md.append(" CPU s ").append(c).append(" |"));
        md.append("\n|---|---|---|---|---|---|");
        components.forEach(c -> md.append("---|"));
        md.append("\n");
        for (RunResult run : runs) {
            md.append("| ").append(run.name()).append(run.finished() ? "" : " (stopped at the limit)").append(" | ")
                    .append(run.setup()).append(" | ").append(String.format(Locale.ROOT, "%,d", run.refreshes()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", run.seconds())).append(" | ")
                    .append(String.format(Locale.ROOT, "%,.0f", run.rate())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", run.cpuMillisPerRefresh())).append(" |");
            components.forEach(c -> md.append(" ").append(run.cpuSeconds().containsKey(c)
                    ? String.format(Locale.ROOT, "%.1f", run.cpuSeconds().get(c))
                    : "–").append(" |"));
            md.append("\n");
        }
        RunResult pooled = runs.stream().filter(r -> r.name().startsWith("pooled sweep")).findFirst().orElse(null);
        if (pooled != null && pooled.rate() > 0) {
            md.append("\nRatios to the pooled sweep (rate; CPU per refresh):\n\n");
            for (RunResult run : runs) {
                if (run.name().startsWith("token-refresher")) {
                    md.append("- ").append(run.name()).append(": ").append(String.format(Locale.ROOT, "%.2f", run
                            .rate() / pooled.rate())).append("× the rate, ").append(String.format(Locale.ROOT,
                                    "%.2f", run.cpuMillisPerRefresh() / pooled.cpuMillisPerRefresh()))
                            .append("× the CPU per refresh\n");
                }
            }
        }
        md.append("\n![refreshes per second over time](").append(chart.getFileName()).append(")\n");
        md.append("\n## Against the targets\n\n");
        md.append(
                "Targets of the benchmark issue for this machine (2 cores, everything on it, 100 ms provider latency):")
                .append(" catch-up at least 1,500 refreshes/s and at least the pooled sweep's rate, with no more CPU ")
                .append("per refresh than the sweep. Measured here:\n\n");
        RunResult best = runs.stream().filter(r -> r.name().startsWith("token-refresher")).max((a, b) -> Double
                .compare(a.rate(), b.rate())).orElse(null);
        if (best != null) {
            md.append("| target | measured | met |\n|---|---|---|\n");
            md.append("| >= 1,500 refreshes/s | ").append(String.format(Locale.ROOT, "%,.0f/s (%s)", best.rate(),
                    best.name())).append(" | ").append(best.rate() >= 1500 ? "yes" : "no").append(" |\n");
            if (pooled != null && pooled.rate() > 0) {
                md.append("| rate >= the pooled sweep's | ").append(String.format(Locale.ROOT, "%.2f×", best.rate()
                        / pooled.rate())).append(" | ").append(best.rate() >= pooled.rate() ? "yes" : "no")
                        .append(" |\n");
                md.append("| CPU per refresh <= the pooled sweep's | ").append(String.format(Locale.ROOT,
                        "%.2f vs %.2f ms", best.cpuMillisPerRefresh(), pooled.cpuMillisPerRefresh())).append(" | ")
                        .append(best.cpuMillisPerRefresh() <= pooled.cpuMillisPerRefresh() ? "yes" : "no")
                        .append(" |\n");
            }
        }
    }

    private static void steadySection(StringBuilder md, List<SteadyResult> runs, Path chart) {
        SteadyResult ours = runs.getFirst();
        BenchSettings.Steady s = ours.settings();
        md.append("\n## Steady state: due times spread over the cycle\n\n");
        md.append(String.format(Locale.ROOT, "%,d connections, each due once per %d-s cycle (access tokens live %d s,"
                + " refresh lead time %d s, so a refresh more than %d s late is a missed expiry), %d worker processes,"
                + " measured for %d s after the first cycle (fresh workers, the seeding's burst of publishes) and"
                + " its late refreshes (measuring starts once 5 s went by with every refresh at most 1 s late)."
                + " Lateness is "
                + "refresh start minus due time, from the workers' histogram: a quantile or the maximum is the upper "
                + "bound of the bucket holding it; a message taken up to a second early counts as 0.",
                ours.connections(), s.cycle().toSeconds(), s.cycle().plus(s.lead()).toSeconds(), s.lead().toSeconds(),
                s.lead().toSeconds(), s.workers(), s.duration().toSeconds()));
        if (runs.size() > 1) {
            md.append(String.format(Locale.ROOT, " Beside it, the pooled sweep on the same connections, taking over "
                    + "from the workers where they left them (the queues emptied): a pass every %d s over what is due "
                    + "at its start, with as many threads as the workers had refreshes in flight, measured for one cycle (%d s) "
                    + "after one pass over what came due while the workers stopped; its lateness (claim minus due "
                    + "time, as the workers measure it) is counted into the workers' buckets, its exact figures in "
                    + "brackets. Its rate falls below the workers' because each refresh's next due time counts from "
                    + "a late refresh: the cycle stretches by the lateness.",
                    s.sweepInterval().toSeconds(), s.cycle().toSeconds()));
        }
        md.append("\n\n");
        Set<String> components = new LinkedHashSet<>();
        runs.forEach(r -> components.addAll(r.run().cpuSeconds().keySet()));
        md.append("| run | refreshes | refreshes/s | lateness p50 | p99 | max | refreshed after expiry | overlapping | "
                + "invalid_grant | CPU ms per refresh |");
        components.forEach(c -> md.append(" CPU s ").append(c).append(" |"));
        md.append("\n|---|---|---|---|---|---|---|---|---|---|");
        components.forEach(c -> md.append("---|"));
        for (SteadyResult steady : runs) {
            RunResult run = steady.run();
            LatenessHistogram lateness = steady.lateness();
            ExactLateness exact = steady.exact();
            md.append(String.format(Locale.ROOT, "\n| %s | %,d | %,.0f | %s | %s | %s | %d | %d | %d | %.2f |", run
                    .name(), run.refreshes(), run.rate(),
                    seconds(lateness.quantile(0.5), exact == null
                            ? Double.NaN
                            : exact.p50()),
                    seconds(lateness.quantile(0.99), exact == null ? Double.NaN : exact.p99()), seconds(steady
                            .maxLatenessSeconds(), exact == null ? Double.NaN : exact.max()),
                    steady.afterExpiry(), steady.overlapping(), steady.invalidGrants(), run.cpuMillisPerRefresh()));
            components.forEach(c -> md.append(" ").append(run.cpuSeconds().containsKey(c)
                    ? String.format(Locale.ROOT, "%.1f", run.cpuSeconds().get(c))
                    : "–").append(" |"));
        }
        if (ours.unrecorded() != null) {
            md.append(String.format(Locale.ROOT,
                    "\n\nFrom a provider's answer to its tokens being durable (stored, or on "
                            + "the hand-off queue), the window in which only a worker's memory holds a rotated refresh token "
                            + "(the workers' `refresher.refresh.unrecorded`, over its last two minutes, the highest worker's "
                            + "figure): %s, over %,d answers.",
                    ours.unrecorded().describe(), ours.unrecorded().count()));
        }
        md.append("\n\n![share of refreshes at most so late](").append(chart.getFileName()).append(")\n\n");
        LatenessHistogram lateness = ours.lateness();
        md.append("| target (").append(ours.run().name()).append(") | measured | met |\n|---|---|---|\n");
        md.append("| p99 lateness <= 1 s | ").append(seconds(lateness.quantile(0.99))).append(" | ").append(lateness
                .quantile(0.99) <= 1 ? "yes" : "no").append(" |\n");
        md.append("| max lateness <= 5 s | ").append(seconds(ours.maxLatenessSeconds())).append(" | ").append(ours
                .maxLatenessSeconds() <= 5 ? "yes" : "no").append(" |\n");
        md.append("| no access token expired before its refresh | ").append(ours.afterExpiry()).append(" | ")
                .append(ours.afterExpiry() == 0 ? "yes" : "no").append(" |\n");
    }

    private static void footprintSection(StringBuilder md, Footprint.Result f) {
        md.append("\n## Footprint: connections scheduled, at rest\n\n");
        md.append(String.format(Locale.ROOT, "%,d connections stored (`COPY`, tokens encrypted with the real cipher; "
                + "access tokens of %,d characters, refresh tokens of 50) in %.0f s and scheduled (one message each in "
                + "the delay ladder, due in one to two hours) in %.0f s. The broker's memory is the resident set of its "
                + "process, before and after the messages; the table and index sizes are PostgreSQL's; heaps are "
                + "`jvm_memory_used_bytes{area=\"heap\"}` of the scheduler and of one worker (which hold nothing per "
                + "connection).%n%n", f.connections(), f.accessTokenChars(), f.storeSeconds(), f.publishSeconds()));
        long brokerGrowth = f.brokerAfter() - f.brokerBefore();
        md.append("| | |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| RabbitMQ resident memory | %,d MiB before, %,d MiB after (+%,d MiB, "
                + "%,d bytes per scheduled connection) |%n", f.brokerBefore() >> 20, f.brokerAfter() >> 20,
                brokerGrowth >> 20, f.connections() == 0 ? 0 : brokerGrowth / f.connections()));
        md.append(String.format(Locale.ROOT, "| PostgreSQL `connection` table | %,d MiB, indexes %,d MiB, for %,d rows "
                + "(%,d bytes per row with its indexes) |%n", f.tableBytes() >> 20, f.indexBytes() >> 20, f.rows(),
                f.rows() == 0 ? 0 : (f.tableBytes() + f.indexBytes()) / f.rows()));
        md.append(String.format(Locale.ROOT, "| scheduler heap in use | %,d MiB |%n", f.schedulerHeap() >> 20));
        md.append(String.format(Locale.ROOT, "| worker heap in use | %,d MiB |%n%n", f.workerHeap() >> 20));
        md.append("| target | measured | met |\n|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| %,d scheduled connections within 1 GiB of RabbitMQ memory | %,d MiB | "
                + "%s |%n", f.connections(), f.brokerAfter() >> 20, f.brokerAfter() <= (1L << 30) ? "yes" : "no"));
    }

    /** A bucket bound, and the exact figure beside it where it is known. */
    private static String seconds(double bound, double exact) {
        return Double.isNaN(exact) ? seconds(bound) : String.format(Locale.ROOT, "%s (%.3f s)", seconds(bound), exact);
    }

    /** A histogram's bucket bound: at most so late. */
    static String bound(double value) {
        return seconds(value);
    }

    private static String seconds(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return Double.isInfinite(value) ? "beyond the largest bucket" : String.format(Locale.ROOT, "<= %.3f s", value);
    }

    /**
     * The share of each run's refreshes at most so late, per bucket bound: cumulative, so that a run whose refreshes
     * all sit in the first bucket is a line along the top instead of one point, and runs of different sizes compare.
     */
    private static void latenessChart(List<SteadyResult> runs, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (SteadyResult run : runs) {
            XYSeries series = new XYSeries(run.run().name());
            double total = run.lateness().count();
            double atMost = 0;
            for (double[] bucket : run.lateness().perBucket()) {
                atMost += bucket[1];
                if (Double.isFinite(bucket[0]) && total > 0) {
                    series.add(bucket[0] * 1000, 100 * atMost / total);
                }
            }
            data.addSeries(series);
        }
        String lateness = "lateness, ms (bucket upper bound, log scale)";
        JFreeChart chart = ChartFactory.createXYLineChart("Steady state: share of refreshes at most so late",
                lateness, "% of the run's refreshes", data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        LogAxis axis = new LogAxis(lateness);
        axis.setSmallestValue(1);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        chart.getXYPlot().setDomainAxis(axis);
        chart.getXYPlot().getRangeAxis().setRange(0, 105);
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) chart.getXYPlot().getRenderer();
        renderer.setDefaultShapesVisible(true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 500);
    }

    private static void throughputChart(List<RunResult> runs, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (RunResult run : runs) {
            XYSeries series = new XYSeries(run.name());
            List<Progress.Sample> samples = run.samples();
            for (int i = 1; i < samples.size(); i++) {
                Progress.Sample a = samples.get(i - 1);
                Progress.Sample b = samples.get(i);
                if (b.seconds() > a.seconds()) {
                    series.add(b.seconds(), (b.done() - a.done()) / (b.seconds() - a.seconds()));
                }
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Catch-up: refreshes per second", "seconds since start",
                "refreshes per second", data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            chart.getXYPlot().getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 500);
    }
}
