package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefreshMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RefreshMetrics metrics = new RefreshMetrics(registry, new ProviderRegistry(new ProvidersProperties(Map
            .of("quickbooks", provider(), "xero", provider()))));

    @Test
    void everyCounterOfEveryConfiguredProviderIsExportedAtZeroBeforeAnythingHappened() {
        String scrape = registry.scrape();

        for (String provider : new String[]{"quickbooks", "xero"}) {
            for (AttemptOutcome outcome : AttemptOutcome.values()) {
                assertThat(scrape).contains("refresher_refreshes_total{outcome=\"" + RefreshMetrics.outcomeTag(
                        outcome) + "\",provider=\"" + provider + "\"} 0.0");
            }
            RefreshMetrics.DEAD_LETTER_REASONS.forEach(reason -> assertThat(scrape).contains(
                    "refresher_dead_letters_total{provider=\"" + provider + "\",reason=\"" + reason + "\"} 0.0"));
            RefreshMetrics.DROP_REASONS.forEach(reason -> assertThat(scrape).contains(
                    "refresher_messages_dropped_total{provider=\"" + provider + "\",reason=\"" + reason
                            + "\"} 0.0"));
            RefreshMetrics.RETRY_REASONS.forEach(reason -> assertThat(scrape).contains(
                    "refresher_retries_total{provider=\"" + provider + "\",reason=\"" + reason + "\"} 0.0"));
            assertThat(scrape).contains("refresher_provider_latency_seconds_count{provider=\"" + provider + "\"} 0",
                    "refresher_refresh_lateness_seconds_count{provider=\"" + provider + "\"} 0",
                    "refresher_batch_duration_seconds_count{phase=\"publish\",provider=\"" + provider + "\"} 0",
                    "refresher_refresh_after_expiry_total{provider=\"" + provider + "\"} 0.0");
        }
    }

    @Test
    void theOutcomeTagsAreTheAttemptOutcomesInLowerCase() {
        assertThat(RefreshMetrics.outcomeTag(AttemptOutcome.TRANSIENT_FAILURE)).isEqualTo("transient_failure");
        assertThat(RefreshMetrics.outcomeTag(AttemptOutcome.REAUTH_REQUIRED)).isEqualTo("reauth_required");
    }

    @Test
    void aCountedDeadLetterIncrementsThePreRegisteredSeries() {
        metrics.deadLettered("quickbooks", "invalid_grant");
        metrics.deadLettered("quickbooks", "http_418");

        assertThat(registry.scrape()).contains(
                "refresher_dead_letters_total{provider=\"quickbooks\",reason=\"invalid_grant\"} 1.0",
                "refresher_dead_letters_total{provider=\"quickbooks\",reason=\"http_418\"} 1.0",
                "refresher_dead_letters_total{provider=\"xero\",reason=\"invalid_grant\"} 0.0");
    }

    @Test
    void aRefreshStartedAfterExpiryCountsForItsProviderOnly() {
        metrics.startedAfterExpiry("quickbooks");

        assertThat(registry.scrape()).contains("refresher_refresh_after_expiry_total{provider=\"quickbooks\"} 1.0",
                "refresher_refresh_after_expiry_total{provider=\"xero\"} 0.0");
    }

    @Test
    void theLateWarningsDefaultThresholdIsABucketBound() {
        assertThat(RefreshMetrics.LATENESS_BUCKETS).contains(WorkerProperties.DEFAULT_LATE_WARNING);
    }

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

    private static ProviderProperties provider() {
        return new ProviderProperties("quickbooks", null, "client", "secret", null, null, null, null, null, null, null,
                null, null);
    }

    private long bucket(String le) {
        String prefix = "refresher_refresh_lateness_seconds_bucket{provider=\"quickbooks\",le=\"" + le + "\"} ";
        return registry.scrape().lines().filter(line -> line.startsWith(prefix)).map(line -> (long) Double
                .parseDouble(line.substring(prefix.length()))).findFirst().orElseThrow(() -> new AssertionError(
                        "no bucket le=" + le + " in\n" + registry.scrape()));
    }
}
