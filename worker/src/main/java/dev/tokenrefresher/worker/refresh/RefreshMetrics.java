package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.common.provider.LostAnswers;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The worker's meters (names and tags in docs/metrics.md). Tags are low-cardinality only: provider, outcome, reason;
 * never a tenant or connection id. Meters are built once per tag combination and kept: a refresh only increments.
 *
 * <p>Every counter is registered at start-up at 0 for each configured provider and each value its tag can take from a
 * fixed set, and each timer with no samples: a series that appears only once something happened makes "none yet" and
 * "not exported" look the same, and {@code increase()} misses the first event of a series that did not exist before.
 */
@Component
class RefreshMetrics {

    /**
     * Bucket bounds of the lateness histogram, from 10 ms to 1 hour: a healthy system is well under a second, an
     * outage's backlog is not. Micrometer's generated percentile buckets would put every refresh that is on time in
     * one bucket. 30 s is the threshold of the {@code RefreshesLate} alert (config/prometheus/alerts.yml) and of the
     * late-start warning: with a bound there, whether the p99 is above it does not depend on interpolation.
     */
    static final List<Duration> LATENESS_BUCKETS = Stream.of(10, 25, 50, 100, 250, 500, 750, 1_000, 1_500, 2_000,
            3_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000).map(Duration::ofMillis).toList();

    /**
     * The reasons a message is acknowledged without a refresh: the claim's refusals, the early re-delay and the
     * connections whose issued tokens this process holds unrecorded ({@link RefreshMessageHandler}), and the provider guards' "not now" ({@link GuardedProviderCall}).
     */
    static final List<String> DROP_REASONS = List.of("stale_fence", "republished", "not_active", "leased",
            "quiet_period", "early",
            "circuit_open", "rate_limited", "bulkhead_full", "unrecorded_tokens");

    /** A delayed retry after a transient failure, at the ladder's back-off. */
    static final String RETRY_TRANSIENT = "transient";
    /**
     * A delayed retry after a call the provider may still be serving (a timeout, a 504): never fast-retried, and no
     * sooner than the provider's {@code timeout-quiet-period} (issue 19, point 2).
     */
    static final String RETRY_AFTER_TIMEOUT = "after_timeout";
    /** Why a delayed retry was scheduled: the {@code reason} of {@code refresher.retries}. */
    static final List<String> RETRY_REASONS = List.of(RETRY_TRANSIENT, RETRY_AFTER_TIMEOUT);

    /**
     * Refresh outcomes that are no attempt outcome: {@code handed_off}, tokens issued while PostgreSQL was down and
     * put on the hand-off queue (their attempt is recorded as {@code refreshed} when a drain stores them); and
     * {@code undecryptable}, a claim whose refresh token no configured key opens (recorded as a {@code rejected} attempt
     * with that error code; no provider call).
     */
    static final List<String> OTHER_OUTCOMES = List.of("handed_off", UndecryptableConnections.REASON);

    /**
     * The dead-letter reasons of a fixed set: the worker's own ({@code malformed}, {@code unknown_connection},
     * {@code refresh_token_expired}, {@code hard_expired}, {@code retries_exhausted}, {@code answer_lost_after_rotation}, and its hand-off
     * drain's {@code store_refused}, {@code undecryptable}) and the OAuth2 error codes of RFC 6749 section 5.2 a
     * refusal carries as its reason. A provider's non-standard code or {@code http_<status>} gets its series when it
     * first happens.
     */
    static final List<String> DEAD_LETTER_REASONS = List.of("invalid_grant", LostAnswers.REASON,
            "refresh_token_expired", ChainEnds.HARD_EXPIRED,
            "invalid_client", "unauthorized_client", "invalid_request", "invalid_scope", "unsupported_grant_type",
            "retries_exhausted", "malformed", "unknown_connection", "store_refused", UndecryptableConnections.REASON);

    /** The phases {@link #batchPhase} times. */
    static final List<String> BATCH_PHASES = List.of("refresh", "publish");

    private final MeterRegistry registry;
    private final Map<MeterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, Timer> lateness = new ConcurrentHashMap<>();
    private final Map<String, Counter> afterExpiry = new ConcurrentHashMap<>();
    private final Map<MeterKey, Timer> batchPhases = new ConcurrentHashMap<>();

    RefreshMetrics(MeterRegistry registry, ProviderRegistry providers) {
        this.registry = registry;
        providers.all().stream().map(ProviderSettings::name).forEach(this::registerAtZero);
    }

    /** An attempt outcome as its tag value: {@code TRANSIENT_FAILURE} is {@code transient_failure}. */
    static String outcomeTag(AttemptOutcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }

    private void registerAtZero(String provider) {
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            refreshCounter(provider, outcomeTag(outcome));
        }
        OTHER_OUTCOMES.forEach(outcome -> refreshCounter(provider, outcome));
        // a reauth_required whose invalid_grant came after an answer lost with the same token: counted apart
        refreshCounter(provider, LostAnswers.REASON);
        DROP_REASONS.forEach(reason -> droppedCounter(provider, reason));
        RETRY_REASONS.forEach(reason -> retryCounter(provider, reason));
        DEAD_LETTER_REASONS.forEach(reason -> deadLetterCounter(provider, reason));
        latencyTimer(provider);
        latenessTimer(provider);
        afterExpiryCounter(provider);
        BATCH_PHASES.forEach(phase -> batchPhaseTimer(provider, phase));
    }

    void refreshed(String provider, String outcome) {
        refreshCounter(provider, outcome).increment();
    }

    void providerLatency(String provider, Duration duration) {
        latencyTimer(provider).record(duration);
    }

    /**
     * A timer, not a distribution summary of seconds: Micrometer rounds a summary's values up to whole numbers before
     * it counts them into histogram buckets, so every lateness between 1 ms and 1 s landed in the 1-s bucket (the
     * "step at 0.75-1 s" the benchmark showed); a timer counts nanoseconds. The exported series are the same.
     */
    void lateness(String provider, Duration late) {
        latenessTimer(provider).record(late.isNegative() ? Duration.ZERO : late);
    }

    /** A refresh that started when the connection's access token had already expired. */
    void startedAfterExpiry(String provider) {
        afterExpiryCounter(provider).increment();
    }

    /**
     * {@code refresh}: one delivery from its dispatch until it is handled (claim, provider call, store); {@code publish}:
     * one round of the provider's settler (the next messages of every delivery finished meanwhile published and
     * confirmed, each acknowledged). The meter keeps its name from when deliveries were handled in batches.
     */
    void batchPhase(String provider, String phase, Duration duration) {
        batchPhaseTimer(provider, phase).record(duration);
    }

    /** A delayed retry was scheduled through the ladder; {@code reason} is one of {@link #RETRY_REASONS}. */
    void retried(String provider, String reason) {
        retryCounter(provider, reason).increment();
    }

    void dropped(String provider, String reason) {
        droppedCounter(provider, reason).increment();
    }

    void deadLettered(String provider, String reason) {
        deadLetterCounter(provider, reason).increment();
    }

    private record MeterKey(String name, String provider, String value) {
    }

    private Counter refreshCounter(String provider, String outcome) {
        return counter("refresher.refreshes", "Provider calls by outcome", provider, "outcome", outcome);
    }

    private Counter retryCounter(String provider, String reason) {
        return counter("refresher.retries", "Delayed retries scheduled, by why", provider, "reason", reason);
    }

    private Counter droppedCounter(String provider, String reason) {
        return counter("refresher.messages.dropped", "Messages acknowledged without a refresh", provider, "reason",
                reason);
    }

    private Counter deadLetterCounter(String provider, String reason) {
        return counter("refresher.dead_letters", "Refreshes given up, by reason", provider, "reason", reason);
    }

    private Counter afterExpiryCounter(String provider) {
        return afterExpiry.computeIfAbsent(provider, p -> Counter.builder("refresher.refresh.after_expiry")
                .description("Refreshes started after the access token expired")
                .tag("provider", p)
                .register(registry));
    }

    private Timer latencyTimer(String provider) {
        return latencies.computeIfAbsent(provider, p -> Timer.builder("refresher.provider.latency")
                .description("Token endpoint call duration")
                .tag("provider", p)
                .publishPercentileHistogram()
                .register(registry));
    }

    private Timer latenessTimer(String provider) {
        return lateness.computeIfAbsent(provider, p -> Timer.builder("refresher.refresh.lateness")
                .description("Refresh start minus due time")
                .tag("provider", p)
                .serviceLevelObjectives(LATENESS_BUCKETS.toArray(Duration[]::new))
                .register(registry));
    }

    private Timer batchPhaseTimer(String provider, String phase) {
        return batchPhases.computeIfAbsent(new MeterKey("refresher.batch.duration", provider, phase), key -> Timer
                .builder(key.name())
                .description("How long one delivery's refresh, or one settler round, took")
                .tag("provider", provider)
                .tag("phase", phase)
                .publishPercentileHistogram()
                .register(registry));
    }

    private Counter counter(String name, String description, String provider, String tag, String value) {
        return counters.computeIfAbsent(new MeterKey(name, provider, value), key -> Counter.builder(name)
                .description(description)
                .tag("provider", provider)
                .tag(tag, value)
                .register(registry));
    }
}
