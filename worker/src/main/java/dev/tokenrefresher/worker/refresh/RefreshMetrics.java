package dev.tokenrefresher.worker.refresh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * The worker's meters (names and tags in docs/metrics.md). Tags are low-cardinality only: provider, outcome, reason;
 * never a tenant or connection id. Meters are built once per tag combination and kept: a refresh only increments.
 */
@Component
class RefreshMetrics {

    /**
     * Bucket bounds of the lateness histogram, from 10 ms to 1 hour: a healthy system is well under a second, an
     * outage's backlog is not. Micrometer's generated percentile buckets would put every refresh that is on time in
     * one bucket.
     */
    static final List<Duration> LATENESS_BUCKETS = Stream.of(10, 25, 50, 100, 250, 500, 750, 1_000, 1_500, 2_000,
            3_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000).map(Duration::ofMillis).toList();

    private final MeterRegistry registry;
    private final Map<MeterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, Timer> lateness = new ConcurrentHashMap<>();
    private final Map<MeterKey, Timer> batchPhases = new ConcurrentHashMap<>();

    RefreshMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void refreshed(String provider, String outcome) {
        counter("refresher.refreshes", "Provider calls by outcome", provider, "outcome", outcome).increment();
    }

    void providerLatency(String provider, Duration duration) {
        latencies.computeIfAbsent(provider, p -> Timer.builder("refresher.provider.latency")
                .description("Token endpoint call duration")
                .tag("provider", p)
                .publishPercentileHistogram()
                .register(registry)).record(duration);
    }

    /**
     * A timer, not a distribution summary of seconds: Micrometer rounds a summary's values up to whole numbers before
     * it counts them into histogram buckets, so every lateness between 1 ms and 1 s landed in the 1-s bucket (the
     * "step at 0.75-1 s" the benchmark showed); a timer counts nanoseconds. The exported series are the same.
     */
    void lateness(String provider, Duration late) {
        lateness.computeIfAbsent(provider, p -> Timer.builder("refresher.refresh.lateness")
                .description("Refresh start minus due time")
                .tag("provider", p)
                .serviceLevelObjectives(LATENESS_BUCKETS.toArray(Duration[]::new))
                .register(registry)).record(late.isNegative() ? Duration.ZERO : late);
    }

    /**
     * How long one phase of a batch held its consumer: {@code refresh} (claims, provider calls and stores, until the
     * batch's slowest is done) or {@code publish} (the next messages published and confirmed). Deliveries that reach a
     * consumer meanwhile wait for both, which is the part of their lateness that the broker does not cause.
     */
    void batchPhase(String provider, String phase, Duration duration) {
        batchPhases.computeIfAbsent(new MeterKey("refresher.batch.duration", provider, phase), key -> Timer.builder(
                key.name())
                .description("How long a phase of a batch of deliveries held its consumer")
                .tag("provider", provider)
                .tag("phase", phase)
                .publishPercentileHistogram()
                .register(registry)).record(duration);
    }

    void dropped(String provider, String reason) {
        counter("refresher.messages.dropped", "Messages acknowledged without a refresh", provider, "reason", reason)
                .increment();
    }

    void deadLettered(String provider, String reason) {
        counter("refresher.dead_letters", "Refreshes given up, by reason", provider, "reason", reason).increment();
    }

    private record MeterKey(String name, String provider, String value) {
    }

    private Counter counter(String name, String description, String provider, String tag, String value) {
        return counters.computeIfAbsent(new MeterKey(name, provider, value), key -> Counter.builder(name)
                .description(description)
                .tag("provider", provider)
                .tag(tag, value)
                .register(registry));
    }
}
