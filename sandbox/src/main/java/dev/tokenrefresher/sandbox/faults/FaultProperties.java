package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * The faults the token endpoint starts with, bound from {@code sandbox.faults.*}; {@code PUT /sandbox/faults} changes
 * them at run time. Every property is optional, and nothing configured means no faults. The three rates share one
 * random draw per request, so together they must not exceed 1.0.
 *
 * @param latencyMax
 *            when above {@code sandbox.latency}, each token request's latency is drawn uniformly between the two, to
 *            the millisecond; at most a day ({@code sandbox.faults.latency-max}, default 0: the latency is fixed)
 * @param errorRate
 *            the fraction of token requests, 0.0 to 1.0, answered with one of {@code errorStatuses}
 *            ({@code sandbox.faults.error-rate}, default {@value #DEFAULT_ERROR_RATE})
 * @param errorStatuses
 *            the statuses, 400 to 599, an error is drawn from with equal chances ({@code sandbox.faults.error-statuses},
 *            default 500, 502, 503)
 * @param rateLimitRate
 *            the fraction of token requests, 0.0 to 1.0, answered 429 with {@code Retry-After}
 *            ({@code sandbox.faults.rate-limit-rate}, default {@value #DEFAULT_RATE_LIMIT_RATE})
 * @param retryAfter
 *            the {@code Retry-After} of a 429, whole seconds; a plain number means seconds
 *            ({@code sandbox.faults.retry-after}, default 1s)
 * @param hangRate
 *            the fraction of token requests, 0.0 to 1.0, that hang for {@code hangDuration} and then answer 504
 *            ({@code sandbox.faults.hang-rate}, default {@value #DEFAULT_HANG_RATE})
 * @param hangDuration
 *            how long a hanging request hangs, at most a day; a plain number means milliseconds
 *            ({@code sandbox.faults.hang-duration}, default 30s)
 * @param invalidClient
 *            whether every token request answers 401 invalid_client, as if the app's client secret had been revoked
 *            ({@code sandbox.faults.invalid-client}, default {@value #DEFAULT_INVALID_CLIENT})
 * @param seed
 *            seeds the random draws (latency, which fault, which status), so that a run can be repeated
 *            ({@code sandbox.faults.seed}, default none: different draws on every run)
 */
@ConfigurationProperties("sandbox.faults")
record FaultProperties(
        Duration latencyMax,
        Double errorRate,
        List<Integer> errorStatuses,
        Double rateLimitRate,
        @DurationUnit(ChronoUnit.SECONDS) Duration retryAfter,
        Double hangRate,
        Duration hangDuration,
        Boolean invalidClient,
        Long seed) {

    static final Duration DEFAULT_LATENCY_MAX = Duration.ZERO;
    static final double DEFAULT_ERROR_RATE = 0.0;
    static final List<Integer> DEFAULT_ERROR_STATUSES = List.of(500, 502, 503);
    static final double DEFAULT_RATE_LIMIT_RATE = 0.0;
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    static final double DEFAULT_HANG_RATE = 0.0;
    static final Duration DEFAULT_HANG_DURATION = Duration.ofSeconds(30);
    static final boolean DEFAULT_INVALID_CLIENT = false;

    private static final String PREFIX = "sandbox.faults.";

    FaultProperties {
        latencyMax = FaultLimits.delay(PREFIX + "latency-max",
                Objects.requireNonNullElse(latencyMax, DEFAULT_LATENCY_MAX));
        errorRate = FaultLimits.rate(PREFIX + "error-rate",
                Objects.requireNonNullElse(errorRate, DEFAULT_ERROR_RATE));
        errorStatuses = FaultLimits.statuses(PREFIX + "error-statuses",
                Objects.requireNonNullElse(errorStatuses, DEFAULT_ERROR_STATUSES));
        rateLimitRate = FaultLimits.rate(PREFIX + "rate-limit-rate",
                Objects.requireNonNullElse(rateLimitRate, DEFAULT_RATE_LIMIT_RATE));
        retryAfter = Objects.requireNonNullElse(retryAfter, DEFAULT_RETRY_AFTER);
        if (retryAfter.isNegative()) {
            throw new InvalidFaultSetting(PREFIX + "retry-after must be zero or positive, was " + retryAfter);
        }
        if (retryAfter.toNanosPart() != 0) {
            throw new InvalidFaultSetting(PREFIX + "retry-after must be whole seconds, was " + retryAfter);
        }
        hangRate = FaultLimits.rate(PREFIX + "hang-rate", Objects.requireNonNullElse(hangRate, DEFAULT_HANG_RATE));
        hangDuration = FaultLimits.delay(PREFIX + "hang-duration",
                Objects.requireNonNullElse(hangDuration, DEFAULT_HANG_DURATION));
        invalidClient = Objects.requireNonNullElse(invalidClient, DEFAULT_INVALID_CLIENT);
        FaultLimits.shareOfRequests(PREFIX + "error-rate", errorRate, PREFIX + "rate-limit-rate", rateLimitRate,
                PREFIX + "hang-rate", hangRate);
    }

    /** No faults, as when nothing is configured. */
    static FaultProperties none() {
        return new FaultProperties(null, null, null, null, null, null, null, null, null);
    }

    /** The same settings in the control API's units. */
    FaultSettings settings() {
        return new FaultSettings(latencyMax.toMillis(), errorRate, errorStatuses, rateLimitRate,
                retryAfter.toSeconds(), hangRate, hangDuration.toMillis(), invalidClient, seed);
    }
}
