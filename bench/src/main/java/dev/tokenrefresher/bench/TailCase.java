package dev.tokenrefresher.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One tail the tail-latency scenario runs: shares of the provider's calls that hang for the whole request timeout and
 * that answer slowly, named as on the command line ({@code hang10}, {@code hang1-slow10}, {@code slow10}).
 *
 * <p>The sandbox aims them at connections, not at calls, so that the other connections' lateness can be told apart
 * (issue 19's field report: 20 of 160 connections hung on every other refresh). A hanging connection's first call of
 * each refresh hangs and the worker's retry goes through, so it makes two calls a refresh where the others make one:
 * for {@code p} of all calls to hang, {@code p / (1 - p)} of the connections hang (1 in 9 for 10 %), and for {@code q}
 * to be slow, {@code q / (1 - p)} of the connections are slow (every call of theirs). The sandbox's counts say what
 * the shares came to.
 *
 * @param hangCallShare the share of calls that hang, below 1
 * @param slowCallShare the share of calls that take between {@link #SLOW_MIN} and {@link #SLOW_MAX}
 */
record TailCase(String name, double hangCallShare, double slowCallShare) {

    /** Issue 19's slow answers: 2 to 5 s, well inside a 10-s request timeout and far beyond a 100-ms answer. */
    static final Duration SLOW_MIN = Duration.ofSeconds(2);
    static final Duration SLOW_MAX = Duration.ofSeconds(5);
    /** The first call of each refresh of a hanging connection hangs, its retry goes through. */
    static final int HANG_EVERY_CALLS = 2;
    /** The sandbox's default: which connections are chosen is the same on every run. */
    static final long SEED = 0;

    private static final Pattern NAME = Pattern
            .compile("(?:hang([0-9]+(?:\\.[0-9]+)?))?(?:-?slow([0-9]+(?:\\.[0-9]+)?))?");

    TailCase {
        if (!(hangCallShare >= 0 && hangCallShare < 1 && slowCallShare >= 0 && hangCallShare + slowCallShare > 0)) {
            throw new IllegalArgumentException("a tail needs hanging or slow calls, under 100 % in all: " + name);
        }
        if (hangConnectionShare(hangCallShare) + slowCallShare / (1 - hangCallShare) > 1) {
            throw new IllegalArgumentException("tail " + name + " needs more than every connection");
        }
    }

    /** {@code hang10}: 10 % of calls hang; {@code hang1-slow10}: 1 % hang and 10 % are slow; {@code slow10}. */
    static TailCase parse(String name) {
        Matcher matcher = NAME.matcher(name);
        if (name.isEmpty() || !matcher.matches()) {
            throw new IllegalArgumentException("--tail takes names like hang10, hang1-slow10 or slow10, not " + name);
        }
        return new TailCase(name, percent(matcher.group(1)), percent(matcher.group(2)));
    }

    double hangConnectionShare() {
        return hangConnectionShare(hangCallShare);
    }

    double slowConnectionShare() {
        return slowCallShare / (1 - hangCallShare);
    }

    /** The body of the sandbox's {@code PUT /sandbox/faults/tail}, hung calls held for {@code hold}. */
    String sandboxTail(Duration hold) {
        StringBuilder json = new StringBuilder("{");
        if (hangCallShare > 0) {
            json.append(String.format(Locale.ROOT, "\"hang\":{\"connectionShare\":%.6f,\"everyCalls\":%d,"
                    + "\"millis\":%d},", hangConnectionShare(), HANG_EVERY_CALLS, hold.toMillis()));
        }
        if (slowCallShare > 0) {
            json.append(String.format(Locale.ROOT, "\"slow\":{\"connectionShare\":%.6f,\"everyCalls\":1,"
                    + "\"minMillis\":%d,\"maxMillis\":%d},", slowConnectionShare(), SLOW_MIN.toMillis(),
                    SLOW_MAX
                            .toMillis()));
        }
        return json.append("\"seed\":").append(SEED).append('}').toString();
    }

    /** What the tail does, for the log and the report. */
    String describe(Duration requestTimeout) {
        StringBuilder text = new StringBuilder();
        if (hangCallShare > 0) {
            text.append(String.format(Locale.ROOT, "%s of calls hang for the whole request timeout (%d s): %s of "
                    + "the connections hang on the first call of each refresh, the retry goes through",
                    percent(hangCallShare), requestTimeout.toSeconds(), percent(hangConnectionShare())));
        }
        if (slowCallShare > 0) {
            text.append(text.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "%s of calls take %d-%d s: "
                    + "every call of %s of the connections", percent(slowCallShare), SLOW_MIN.toSeconds(),
                    SLOW_MAX
                            .toSeconds(),
                    percent(slowConnectionShare())));
        }
        return text.toString();
    }

    private static double hangConnectionShare(double hangCallShare) {
        return hangCallShare / (1 - hangCallShare);
    }

    private static double percent(String digits) {
        return digits == null ? 0 : Double.parseDouble(digits) / 100;
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, share * 100 >= 10 || share == 0 ? "%.1f %%" : "%.2f %%", share * 100);
    }
}
