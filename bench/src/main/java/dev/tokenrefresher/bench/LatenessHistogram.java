package dev.tokenrefresher.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lateness histogram (cumulative counts per upper bound): the workers' ({@code
 * refresher_refresh_lateness_seconds_bucket}), summed over workers, as read from their Prometheus endpoints, or the
 * sweep's, counted here into the same buckets. Quantiles are the upper bound of the bucket that holds them: at most
 * that late.
 */
final class LatenessHistogram {

    private static final Pattern BUCKET = Pattern.compile(
            "^refresher_refresh_lateness_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+-]+)$");

    /** upper bound in seconds (+Inf as infinity) → cumulative count */
    private final TreeMap<Double, Double> cumulative;

    private LatenessHistogram(TreeMap<Double, Double> cumulative) {
        this.cumulative = cumulative;
    }

    static LatenessHistogram empty() {
        return new LatenessHistogram(new TreeMap<>());
    }

    /**
     * Lateness measured outside the workers (the sweep's), in seconds, counted into the buckets of {@code like} (the
     * workers'), so that the two compare bucket by bucket; a histogram without buckets gives one unbounded bucket.
     */
    static LatenessHistogram of(Collection<Double> secondsLate, LatenessHistogram like) {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        like.cumulative.keySet().forEach(le -> cumulative.put(le, 0.0));
        cumulative.put(Double.POSITIVE_INFINITY, 0.0);
        for (double late : secondsLate) {
            cumulative.tailMap(late, true).replaceAll((le, count) -> count + 1);
        }
        return new LatenessHistogram(cumulative);
    }

    /** Adds one worker's scrape. */
    LatenessHistogram plus(String prometheusText) {
        TreeMap<Double, Double> sum = new TreeMap<>(cumulative);
        for (String line : prometheusText.split("\n")) {
            Matcher bucket = BUCKET.matcher(line);
            if (bucket.matches()) {
                double le = bucket.group(1).equals("+Inf")
                        ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(bucket
                                .group(1));
                sum.merge(le, Double.parseDouble(bucket.group(2)), Double::sum);
            }
        }
        return new LatenessHistogram(sum);
    }

    /** The refreshes counted between {@code earlier} and this. */
    LatenessHistogram minus(LatenessHistogram earlier) {
        TreeMap<Double, Double> delta = new TreeMap<>();
        cumulative.forEach((le, count) -> delta.put(le, count - earlier.cumulative.getOrDefault(le, 0.0)));
        return new LatenessHistogram(delta);
    }

    /** The upper bound, in seconds, of the highest bucket that holds a refresh: the largest lateness is at most this. */
    double maxBound() {
        double previous = 0;
        double bound = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() > previous) {
                bound = bucket.getKey();
            }
            previous = bucket.getValue();
        }
        return bound;
    }

    long count() {
        return cumulative.isEmpty() ? 0 : Math.round(cumulative.lastEntry().getValue());
    }

    /** @return the upper bound, in seconds, of the bucket holding quantile {@code q} (0 < q <= 1) */
    double quantile(double q) {
        double target = q * count();
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= target && bucket.getValue() > 0) {
                return bucket.getKey();
            }
        }
        return Double.NaN;
    }

    /** Refreshes per bucket (not cumulative), for the chart: [upper bound, count]. */
    List<double[]> perBucket() {
        List<double[]> buckets = new ArrayList<>();
        double previous = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            buckets.add(new double[]{bucket.getKey(), bucket.getValue() - previous});
            previous = bucket.getValue();
        }
        return buckets;
    }
}
