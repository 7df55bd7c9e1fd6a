package dev.tokenrefresher.worker.refresh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The worker's meters (names and tags in docs/metrics.md). Tags are low-cardinality only: provider, outcome, reason;
 * never a tenant or connection id. Meters are built once per tag combination and kept: a refresh only increments.
 */
@Component
class RefreshMetrics {

    /**
     * Bucket bounds of the lateness histogram, in seconds, from 10 ms to 1 hour: a healthy system is well under a second,
     * an outage's backlog is not. Micrometer's generated percentile buckets start at 1 for a distribution summary, which
     * would put every refresh that is on time in one bucket.
     */
    private static final double[] LATENESS_BUCKETS_SECONDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3,
            5, 10, 30, 60, 300, 900, 3600};

    private final MeterRegistry registry;
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> lateness = new ConcurrentHashMap<>();

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

    void lateness(String provider, Duration late) {
        lateness.computeIfAbsent(provider, p -> DistributionSummary.builder("refresher.refresh.lateness")
                .description("Refresh start minus due time")
                .baseUnit("seconds")
                .tag("provider", p)
                .serviceLevelObjectives(LATENESS_BUCKETS_SECONDS)
                .register(registry)).record(Math.max(0, late.toMillis()) / 1000.0);
    }

    void dropped(String provider, String reason) {
        counter("refresher.messages.dropped", "Messages acknowledged without a refresh", provider, "reason", reason)
                .increment();
    }

    void deadLettered(String provider, String reason) {
        counter("refresher.dead_letters", "Refreshes given up, by reason", provider, "reason", reason).increment();
    }

    private record CounterKey(String name, String provider, String value) {
    }

    private Counter counter(String name, String description, String provider, String tag, String value) {
        return counters.computeIfAbsent(new CounterKey(name, provider, value), key -> Counter.builder(name)
                .description(description)
                .tag("provider", provider)
                .tag(tag, value)
                .register(registry));
    }
}
