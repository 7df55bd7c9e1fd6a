package dev.tokenrefresher.bench;

import java.util.Locale;

/** The capacity section of the report, and its lines in the log. */
final class CapacityReport {

    private CapacityReport() {
    }

    static void section(StringBuilder md, Capacity capacity) {
        Capacity.Costs costs = capacity.costs();
        md.append("\n## Capacity: what one refresh costs, and sizes for 1-hour tokens\n\n");
        md.append(String.format(Locale.ROOT, "Per refresh, from the workers' steady state above: %,d refreshes in "
                + "%.0f s (%,.0f/s), each next message walking %d level%s of the delay ladder (a %d-s cycle); with "
                + "%d-minute tokens and a %d-minute lead time it walks %d. CPU is user + system time from /proc over "
                + "the measured window: the worker processes; the broker the apps use (its `beam.smp` and children); "
                + "every process of the PostgreSQL server, background processes (checkpointer, WAL writer, "
                + "autovacuum) included. Each holds its component's idle load over the window too: the lower the "
                + "rate, the more it overstates the cost. The machine and versions are at the top.%n%n",
                costs.refreshes(),
                costs.seconds(), costs.refreshesPerSecond(), costs.hops(), costs.hops() == 1 ? "" : "s", costs.cycle()
                        .toSeconds(),
                capacity.tokenLifetime().toMinutes(), capacity.leadTime().toMinutes(), Capacity.hops(capacity
                        .interval().toSeconds())));
        md.append("| per refresh | measured |\n|---|---|\n");
        md.append(row("worker CPU", millis(costs.workerCpuMillis())));
        md.append(row("broker CPU", millis(costs.brokerCpuMillis())));
        md.append(row("database CPU", millis(costs.databaseCpuMillis())));
        md.append(row("PostgreSQL WAL written (the whole server's)", bytes(costs.walBytes())));
        md.append(row("broker memory per scheduled connection (footprint scenario, resident set)", bytes(costs
                .brokerBytesPerConnection())));
        md.append(row("`connection` table per connection (heap, TOAST, indexes)", bytes(costs
                .connectionRowBytes())));
        md.append(row("`refresh_attempt` per provider call (heap, indexes)", bytes(costs.attemptRowBytes())));
        md.append(String.format(Locale.ROOT, "%nSizes: each connection refreshed every %,d s (%d-minute tokens, "
                + "%d-minute lead time, the ladder's delay coarsened up to 1/16 early), about %.1f times a day. "
                + "Averages at a steady state, before headroom: a catch-up after an outage needs several times the "
                + "rate.%n%n", capacity.interval().toSeconds(), capacity.tokenLifetime().toMinutes(),
                capacity
                        .leadTime().toMinutes(),
                86_400.0 / capacity.interval().toSeconds()));
        md.append("| connections | refreshes/s | worker cores | broker cores | database cores | broker memory | "
                + "`connection` table | `refresh_attempt` growth per day | WAL per day |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Capacity.Sizing size : capacity.sizings()) {
            md.append(String.format(Locale.ROOT, "| %,d | %,.0f | %.2f | %.2f | %.2f | %s | %s | %s | %s |%n", size
                    .connections(), size.refreshesPerSecond(), size.cores().get(Capacity.WORKERS),
                    size.cores().get(
                            Capacity.BROKER),
                    size.cores().get(Capacity.DATABASE), bytes(size.brokerBytes()), bytes(size
                            .connectionTableBytes()),
                    bytes(size.attemptBytesPerDay()), bytes(size.walBytesPerDay())));
        }
    }

    /** The figures as the benchmark's log prints them. */
    static void log(Capacity capacity) {
        Capacity.Costs costs = capacity.costs();
        Benchmark.log(String.format(Locale.ROOT, "capacity, per refresh (steady state, %,.0f/s, %d ladder hops): "
                + "worker %s, broker %s, database %s CPU; WAL %s; broker memory %s per scheduled connection; "
                + "connection %s per row, refresh_attempt %s per row", costs.refreshesPerSecond(), costs.hops(),
                millis(costs.workerCpuMillis()), millis(costs.brokerCpuMillis()), millis(costs.databaseCpuMillis()),
                bytes(costs.walBytes()), bytes(costs.brokerBytesPerConnection()), bytes(costs.connectionRowBytes()),
                bytes(costs.attemptRowBytes())));
        for (Capacity.Sizing size : capacity.sizings()) {
            Benchmark.log(String.format(Locale.ROOT, "  %,d connections, %d-minute tokens: %,.0f refreshes/s; cores: "
                    + "workers %.2f, broker %.2f, database %.2f; broker memory %s, connection table %s, "
                    + "refresh_attempt +%s a day, WAL %s a day", size.connections(),
                    capacity.tokenLifetime()
                            .toMinutes(),
                    size.refreshesPerSecond(), size.cores().get(Capacity.WORKERS), size.cores().get(Capacity.BROKER),
                    size.cores().get(Capacity.DATABASE), bytes(size.brokerBytes()), bytes(size
                            .connectionTableBytes()),
                    bytes(size.attemptBytesPerDay()), bytes(size.walBytesPerDay())));
        }
    }

    private static String row(String what, String value) {
        return "| " + what + " | " + value + " |\n";
    }

    private static String millis(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    /** Bytes in the largest binary unit that keeps the number at least 1; "–" for an unknown (negative) figure. */
    static String bytes(double bytes) {
        if (bytes < 0 || Double.isNaN(bytes)) {
            return "–";
        }
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0
                ? String.format(Locale.ROOT, "%,.0f bytes", value)
                : String.format(Locale.ROOT, "%,.1f %s", value, units[unit]);
    }
}
