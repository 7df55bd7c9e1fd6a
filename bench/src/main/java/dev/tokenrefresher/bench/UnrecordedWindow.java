package dev.tokenrefresher.bench;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the workers held a provider's answer before its tokens were durable (stored in PostgreSQL, or confirmed on
 * the hand-off queue): their {@code refresher.refresh.unrecorded} timer. Its quantiles are the workers' own, over
 * Micrometer's sliding window (the last two minutes); across workers this keeps the highest of each, an upper bound.
 *
 * @param count answers recorded by the workers since they started
 */
record UnrecordedWindow(long count, double p50Seconds, double p99Seconds, double maxSeconds) {

    private static final Pattern QUANTILE = Pattern.compile(
            "^refresher_refresh_unrecorded_seconds\\{[^}]*quantile=\"([0-9.]+)\"[^}]*} ([0-9.eE+-]+|NaN)$",
            Pattern.MULTILINE);
    private static final Pattern MAX = Pattern.compile("^refresher_refresh_unrecorded_seconds_max\\{[^}]*} "
            + "([0-9.eE+-]+)$", Pattern.MULTILINE);
    private static final Pattern COUNT = Pattern.compile("^refresher_refresh_unrecorded_seconds_count\\{[^}]*} "
            + "([0-9.eE+-]+)$", Pattern.MULTILINE);

    /** The workers' windows from their Prometheus pages, combined. */
    static UnrecordedWindow of(List<String> scrapes) {
        long count = 0;
        double p50 = 0;
        double p99 = 0;
        double max = 0;
        for (String scrape : scrapes) {
            Matcher quantile = QUANTILE.matcher(scrape);
            while (quantile.find()) {
                double value = parse(quantile.group(2));
                switch (quantile.group(1)) {
                    case "0.5" -> p50 = Math.max(p50, value);
                    case "0.99" -> p99 = Math.max(p99, value);
                    default -> {
                    }
                }
            }
            Matcher maxMatch = MAX.matcher(scrape);
            if (maxMatch.find()) {
                max = Math.max(max, parse(maxMatch.group(1)));
            }
            Matcher countMatch = COUNT.matcher(scrape);
            if (countMatch.find()) {
                count += (long) parse(countMatch.group(1));
            }
        }
        return new UnrecordedWindow(count, p50, p99, max);
    }

    private static double parse(String value) {
        return "NaN".equals(value) ? 0 : Double.parseDouble(value);
    }

    /** {@code p50 1.2 ms, p99 4.5 ms, max 9.1 ms}. */
    String describe() {
        return String.format(java.util.Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms", p50Seconds * 1000,
                p99Seconds * 1000, maxSeconds * 1000);
    }
}
