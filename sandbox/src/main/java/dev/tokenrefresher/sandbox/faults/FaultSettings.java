package dev.tokenrefresher.sandbox.faults;

import java.util.List;
import java.util.Objects;

/**
 * The fault settings in force, in the control API's names and units; {@link FaultProperties} documents each. One
 * snapshot decides a whole request, so a change never applies half-way through one.
 *
 * @param seed
 *            what the random draws were last seeded with; null when they are not reproducible
 */
record FaultSettings(long latencyMaxMillis, double errorRate, List<Integer> errorStatuses, double rateLimitRate,
        long retryAfterSeconds, double hangRate, long hangMillis, boolean invalidClient, Long seed) {

    FaultSettings {
        FaultLimits.delayMillis("latencyMaxMillis", latencyMaxMillis);
        FaultLimits.rate("errorRate", errorRate);
        errorStatuses = FaultLimits.statuses("errorStatuses", Objects.requireNonNull(errorStatuses, "errorStatuses"));
        FaultLimits.rate("rateLimitRate", rateLimitRate);
        FaultLimits.notNegative("retryAfterSeconds", retryAfterSeconds);
        FaultLimits.rate("hangRate", hangRate);
        FaultLimits.delayMillis("hangMillis", hangMillis);
        FaultLimits.shareOfRequests("errorRate", errorRate, "rateLimitRate", rateLimitRate, "hangRate", hangRate);
    }

    /** No faults and default parameters, keeping the given seed. */
    static FaultSettings none(Long seed) {
        FaultSettings none = FaultProperties.none().settings();
        return new FaultSettings(none.latencyMaxMillis, none.errorRate, none.errorStatuses, none.rateLimitRate,
                none.retryAfterSeconds, none.hangRate, none.hangMillis, none.invalidClient, seed);
    }

    /**
     * Applies a partial change: every null field keeps its value.
     *
     * @throws InvalidFaultSetting
     *             when the result is out of range; it names the field
     */
    FaultSettings changedBy(FaultChange change) {
        return new FaultSettings(
                Objects.requireNonNullElse(change.latencyMaxMillis(), latencyMaxMillis),
                Objects.requireNonNullElse(change.errorRate(), errorRate),
                Objects.requireNonNullElse(change.errorStatuses(), errorStatuses),
                Objects.requireNonNullElse(change.rateLimitRate(), rateLimitRate),
                Objects.requireNonNullElse(change.retryAfterSeconds(), retryAfterSeconds),
                Objects.requireNonNullElse(change.hangRate(), hangRate),
                Objects.requireNonNullElse(change.hangMillis(), hangMillis),
                Objects.requireNonNullElse(change.invalidClient(), invalidClient),
                change.seed() == null ? seed : change.seed());
    }

    /** Whether a request needs a draw to decide between the random faults. */
    boolean drawsFaults() {
        return errorRate > 0 || rateLimitRate > 0 || hangRate > 0;
    }
}
