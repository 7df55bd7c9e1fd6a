package dev.tokenrefresher.worker.refresh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** The worker's meters. Tags are low-cardinality only: provider, outcome, reason; never a tenant or connection id. */
@Component
class RefreshMetrics {

    private final MeterRegistry registry;

    RefreshMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void refreshed(String provider, String outcome) {
        Counter.builder("refresher.refreshes").description("Provider calls by outcome")
                .tag("provider", provider).tag("outcome", outcome).register(registry).increment();
    }

    void providerLatency(String provider, Duration duration) {
        Timer.builder("refresher.provider.latency").description("Token endpoint call duration")
                .tag("provider", provider).publishPercentileHistogram().register(registry).record(duration);
    }

    void lateness(String provider, Duration lateness) {
        DistributionSummary.builder("refresher.refresh.lateness").description("Refresh start minus due time")
                .baseUnit("seconds").tag("provider", provider).publishPercentileHistogram().register(registry)
                .record(Math.max(0, lateness.toMillis()) / 1000.0);
    }

    void dropped(String provider, String reason) {
        Counter.builder("refresher.messages.dropped").description("Messages acknowledged without a refresh")
                .tag("provider", provider).tag("reason", reason).register(registry).increment();
    }

    void deadLettered(String provider, String reason) {
        Counter.builder("refresher.dead_letters").description("Refreshes given up, by reason")
                .tag("provider", provider).tag("reason", reason).register(registry).increment();
    }
}
