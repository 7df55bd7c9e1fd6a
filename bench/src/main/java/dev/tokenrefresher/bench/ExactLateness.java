package dev.tokenrefresher.bench;

import java.util.Collection;

/**
 * Quantiles of lateness known sample by sample (the sweep's, measured in the benchmark's JVM), besides their histogram
 * buckets: a bucket bound says "at most 10 s" where the samples say 5.1 s.
 *
 * @param p50 the median, in seconds (nearest rank)
 * @param p99 the 99th percentile, in seconds (nearest rank)
 * @param max the largest, in seconds
 */
record ExactLateness(double p50, double p99, double max) {

    /** @return the quantiles of {@code secondsLate}, or {@code null} when there are none */
    static ExactLateness of(Collection<Double> secondsLate) {
        double[] sorted = secondsLate.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return null;
        }
        return new ExactLateness(nearestRank(sorted, 0.5), nearestRank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double nearestRank(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "p50 %.3f s, p99 %.3f s, max %.3f s", p50, p99, max);
    }
}
