package dev.tokenrefresher.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Writes the Markdown report and its chart: every figure with the machine, versions and settings it came from. */
final class Report {

    private Report() {
    }

    static void write(BenchSettings settings, Environment environment, List<RunResult> runs) throws IOException {
        Path report = settings.report();
        Files.createDirectories(report.toAbsolutePath().getParent());
        Path chart = report.resolveSibling("benchmarks-throughput.png");
        throughputChart(runs, chart);
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `scripts/bench.sh").append(settings.quick() ? " --quick" : "").append("` on ")
                .append(environment.date()).append(". Every component runs on this one machine: the apps as separate ")
                .append("JVMs from their jars, the local PostgreSQL and RabbitMQ, the sandbox provider.\n\n");
        md.append("## Machine and versions\n\n| | |\n|---|---|\n");
        environment.facts().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\n## Settings\n\n| | |\n|---|---|\n");
        md.append("| connections, all due at once | ").append(String.format(Locale.ROOT, "%,d", settings.connections()))
                .append(" (access tokens expired, as after a long outage) |\n");
        md.append("| provider latency | ").append(settings.latency().toMillis()).append(" ms per token request |\n");
        md.append("| worker processes | ").append(settings.workerCounts()).append(" (one catch-up each) |\n");
        md.append("| refreshes in flight per worker | ").append(settings.concurrency()).append(" |\n");
        md.append("| warm-up before each catch-up | ").append(String.format(Locale.ROOT, "%,d", settings.warmup()))
                .append(" refreshes by the freshly started workers, not measured (the sweep runs in the benchmark's")
                .append(" JVM, warm from seeding) |\n");
        md.append("| sweep baselines | same sandbox, database and connections; stopped after ")
                .append(settings.sweepLimit().toSeconds()).append(" s if not done |\n\n");
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
        Files.writeString(report, md.toString());
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
