package dev.tokenrefresher.bench;

/**
 * The steady-state scenario's figures.
 *
 * @param lateness refresh start minus due time, over every refresh of the measured window
 * @param maxLatenessSeconds the upper bound of the highest histogram bucket holding a refresh of the window
 * @param exact the lateness quantiles sample by sample, where they are known (the sweep's), else {@code null}
 * @param afterExpiry refreshes the sandbox saw after the access token had expired: missed expiries
 * @param unrecorded from a provider's answer to its tokens being durable, as the workers measured it; {@code null} for
 *            the sweep, which stores in the calling thread
 * @param walBytes PostgreSQL's WAL written over the measured window (the whole server's); -1 where not measured
 */
record SteadyResult(BenchSettings.Steady settings, int connections, RunResult run, LatenessHistogram lateness,
        double maxLatenessSeconds, ExactLateness exact, long afterExpiry, long overlapping, long invalidGrants,
        UnrecordedWindow unrecorded, long walBytes) {
}
