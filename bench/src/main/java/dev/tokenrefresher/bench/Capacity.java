package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.messaging.DelayLadder;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one refresh costs, measured in the steady state, and what that comes to for many connections whose access
 * tokens live an hour: refreshes per second, CPU cores per component, the broker's memory, the tables' bytes.
 *
 * @param costs the measured figures
 * @param interval how often a connection is refreshed with the sizing's token lifetime and lead time, after the delay
 *            ladder's coarsening (a delay's lowest binary digits cleared, up to 1/16 of it early)
 * @param sizings one per connection count of {@link #CONNECTIONS}
 */
record Capacity(Costs costs, Duration tokenLifetime, Duration leadTime, Duration interval, List<Sizing> sizings) {

    static final List<Long> CONNECTIONS = List.of(100_000L, 1_000_000L, 10_000_000L);
    /** QuickBooks' access tokens. */
    static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    static final String WORKERS = "workers";
    static final String BROKER = "RabbitMQ";
    static final String DATABASE = "PostgreSQL";
    private static final double SECONDS_PER_DAY = 86_400;

    /**
     * Per refresh, over the steady state's measured window.
     *
     * @param cycle the steady state's refresh cycle; {@code hops} the delay ladder's levels its next message walks
     * @param workerCpuMillis / brokerCpuMillis / databaseCpuMillis CPU per refresh of the worker processes, the broker's
     *            processes and the database server's (background processes included: checkpointer, WAL writer,
     *            autovacuum); each holds the component's idle load over the window too
     * @param walBytes PostgreSQL's WAL written per refresh (the whole server's, over the window); negative if unknown
     * @param brokerBytesPerConnection the broker's resident memory per scheduled connection (the footprint scenario);
     *            negative if it did not run
     * @param connectionRowBytes the connection table with its TOAST data and indexes, per row
     * @param attemptRowBytes the attempt log with its indexes, per row: one row per provider call
     */
    record Costs(long refreshes, double seconds, Duration cycle, int hops, double workerCpuMillis,
            double brokerCpuMillis, double databaseCpuMillis, double walBytes, double brokerBytesPerConnection,
            double connectionRowBytes, double attemptRowBytes) {

        double refreshesPerSecond() {
            return seconds == 0 ? 0 : refreshes / seconds;
        }
    }

    /**
     * One size: the averages at a steady state, before any headroom (an outage's catch-up needs several times the
     * rate, and a machine is not run at 100 %).
     *
     * @param cores CPU cores kept busy per component, by name ({@link #WORKERS}, {@link #BROKER}, {@link #DATABASE})
     * @param attemptBytesPerDay how much the attempt log grows a day (it is not pruned)
     * @param walBytesPerDay PostgreSQL WAL a day (archived, streamed to replicas); negative if unknown
     */
    record Sizing(long connections, double refreshesPerSecond, Map<String, Double> cores, double brokerBytes,
            double connectionTableBytes, double attemptBytesPerDay, double walBytesPerDay) {
    }

    /** The measured costs turned into sizes for 1-hour tokens and the default lead time. */
    static Capacity of(Costs costs) {
        return of(costs, TOKEN_LIFETIME, ProviderSettings.DEFAULT_REFRESH_LEAD_TIME);
    }

    static Capacity of(Costs costs, Duration tokenLifetime, Duration leadTime) {
        Duration interval = Duration.ofSeconds(refreshInterval(tokenLifetime.minus(leadTime)));
        List<Sizing> sizings = CONNECTIONS.stream().map(n -> size(costs, n, interval)).toList();
        return new Capacity(costs, tokenLifetime, leadTime, interval, sizings);
    }

    /**
     * The delay of the next message after a refresh that is due {@code dueIn} after it: whole seconds (the few
     * milliseconds the refresh took round it down) coarsened as the ladder does by default.
     */
    static long refreshInterval(Duration dueIn) {
        long exact = DelayLadder.delaySeconds(dueIn.minusMillis(1));
        return DelayLadder.coarsen(exact, MessagingProperties.DEFAULT_LADDER_EARLY_FRACTION);
    }

    /** The delay ladder's levels (quorum queue to quorum queue hops) a message with this delay walks. */
    static int hops(long delaySeconds) {
        return Long.bitCount(delaySeconds);
    }

    static Sizing size(Costs costs, long connections, Duration interval) {
        double rate = (double) connections / interval.toSeconds();
        Map<String, Double> cores = Map.of(WORKERS, rate * costs.workerCpuMillis() / 1000, BROKER, rate * costs
                .brokerCpuMillis() / 1000, DATABASE, rate * costs.databaseCpuMillis() / 1000);
        double perDay = rate * SECONDS_PER_DAY;
        return new Sizing(connections, rate, cores, costs.brokerBytesPerConnection() < 0
                ? -1
                : connections * costs.brokerBytesPerConnection(), connections * costs.connectionRowBytes(),
                perDay * costs.attemptRowBytes(), costs.walBytes() < 0 ? -1 : perDay * costs.walBytes());
    }

    /**
     * The per-refresh costs of the workers' steady state.
     *
     * @param walBytes WAL written over the steady state's measured window, negative if unknown
     * @param footprint the footprint scenario's result, {@code null} if it did not run
     */
    static Costs costs(SteadyResult steady, long walBytes, Footprint.Result footprint, TableSizes tables) {
        RunResult run = steady.run();
        long refreshes = Math.max(1, run.refreshes());
        Map<String, Double> cpu = run.cpuSeconds();
        double brokerBytes = footprint == null || footprint.connections() == 0
                ? -1
                : (double) (footprint.brokerAfter() - footprint.brokerBefore()) / footprint.connections();
        return new Costs(run.refreshes(), run.seconds(), steady.settings().cycle(), hops(refreshInterval(steady
                .settings().cycle())), cpu.getOrDefault(WORKERS, 0.0) * 1000 / refreshes,
                cpu.getOrDefault(BROKER,
                        0.0) * 1000 / refreshes,
                cpu.getOrDefault(DATABASE, 0.0) * 1000 / refreshes, walBytes < 0 ? -1 : (double) walBytes / refreshes,
                brokerBytes, tables.connectionBytesPerRow(), tables.attemptBytesPerRow());
    }
}
