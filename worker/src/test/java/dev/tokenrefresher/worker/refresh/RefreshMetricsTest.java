package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefreshMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RefreshMetrics metrics = new RefreshMetrics(registry);

    @Test
    void subSecondLatenessLandsInItsOwnBucketNotInTheOneSecondBucket() {
        metrics.lateness("quickbooks", Duration.ofMillis(300));

        assertThat(bucket("0.25")).isZero();
        assertThat(bucket("0.5")).isEqualTo(1);
        assertThat(bucket("1.0")).isEqualTo(1);
    }

    @Test
    void latenessBetweenWholeSecondsIsCountedAtItsBoundNotRoundedUp() {
        metrics.lateness("quickbooks", Duration.ofMillis(1_200));

        assertThat(bucket("1.0")).isZero();
        assertThat(bucket("1.5")).isEqualTo(1);
    }

    @Test
    void aMessageTakenEarlyCountsAsOnTime() {
        metrics.lateness("quickbooks", Duration.ofMillis(-700));

        assertThat(bucket("0.01")).isEqualTo(1);
        assertThat(registry.scrape()).contains("refresher_refresh_lateness_seconds_sum{provider=\"quickbooks\"} 0.0");
    }

    @Test
    void everyConfiguredBoundIsExported() {
        metrics.lateness("quickbooks", Duration.ZERO);

        String scrape = registry.scrape();
        RefreshMetrics.LATENESS_BUCKETS.forEach(bound -> assertThat(scrape).contains("le=\"" + bound.toMillis()
                / 1000.0 + "\""));
    }

    private long bucket(String le) {
        String prefix = "refresher_refresh_lateness_seconds_bucket{provider=\"quickbooks\",le=\"" + le + "\"} ";
        return registry.scrape().lines().filter(line -> line.startsWith(prefix)).map(line -> (long) Double
                .parseDouble(line.substring(prefix.length()))).findFirst().orElseThrow(() -> new AssertionError(
                        "no bucket le=" + le + " in\n" + registry.scrape()));
    }
}
