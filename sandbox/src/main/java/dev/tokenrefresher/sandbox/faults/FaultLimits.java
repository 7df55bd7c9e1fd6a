package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.util.List;

/**
 * The ranges of the fault settings, checked alike for the start-up properties and for changes through the control API;
 * each caller passes the names its user knows ({@code sandbox.faults.error-rate} or {@code errorRate}).
 */
final class FaultLimits {

    static final int MIN_STATUS = 400;
    static final int MAX_STATUS = 599;
    /** Longer latencies, hangs and outages are surely a mistake, and would overflow the arithmetic of the draws. */
    static final Duration MAX_DELAY = Duration.ofDays(1);
    // the three random faults share one draw, so together they can cover at most every request; the slack lets
    // 0.1 + 0.2 + 0.7 through, which doubles add up to a hair above 1
    private static final double MAX_RATE_SUM = 1.0 + 1e-9;

    private FaultLimits() {
    }

    /** A fraction of requests: from 0.0 (never) to 1.0 (every one). */
    static double rate(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new InvalidFaultSetting(name + " must be between 0.0 and 1.0, was " + value);
        }
        return value;
    }

    /** An error status: 4xx or 5xx. */
    static int status(String name, int value) {
        if (value < MIN_STATUS || value > MAX_STATUS) {
            throw new InvalidFaultSetting(
                    name + " must be between " + MIN_STATUS + " and " + MAX_STATUS + ", was " + value);
        }
        return value;
    }

    static List<Integer> statuses(String name, List<Integer> values) {
        if (values.isEmpty()) {
            throw new InvalidFaultSetting(name + " must name at least one status");
        }
        for (Integer value : values) {
            if (value == null) {
                throw new InvalidFaultSetting(name + " must not contain null");
            }
            status(name, value);
        }
        return List.copyOf(values);
    }

    /** A latency or hang, in milliseconds: from 0 to a day. */
    static long delayMillis(String name, long value) {
        if (value < 0 || value > MAX_DELAY.toMillis()) {
            throw new InvalidFaultSetting(name + " must be between 0 and " + MAX_DELAY.toMillis() + ", was " + value);
        }
        return value;
    }

    static Duration delay(String name, Duration value) {
        if (value.isNegative() || value.compareTo(MAX_DELAY) > 0) {
            throw new InvalidFaultSetting(name + " must be between 0 and " + MAX_DELAY + ", was " + value);
        }
        return value;
    }

    static long notNegative(String name, long value) {
        if (value < 0) {
            throw new InvalidFaultSetting(name + " must be zero or positive, was " + value);
        }
        return value;
    }

    static void shareOfRequests(String errorRateName, double errorRate, String rateLimitRateName,
            double rateLimitRate, String hangRateName, double hangRate) {
        double sum = errorRate + rateLimitRate + hangRate;
        if (sum > MAX_RATE_SUM) {
            throw new InvalidFaultSetting(errorRateName + " + " + rateLimitRateName + " + " + hangRateName
                    + " must not exceed 1.0, was " + sum + " (" + errorRate + " + " + rateLimitRate + " + " + hangRate
                    + ")");
        }
    }
}
