package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseBudgetTest {

    private static WorkerProperties worker(Duration lease, Integer fastRetries, Duration storeRetryTimeout,
            Duration statementMaxWait) {
        return new WorkerProperties("w", lease, null, null, null, null, null, fastRetries, null, null, null, null,
                null, null, storeRetryTimeout, null, statementMaxWait, null, null);
    }

    @Test
    void theWorstCaseAddsEveryCallWithItsBulkheadAndRateLimiterWaitThePausesTheStoreRetriesAndTheQueue() {
        WorkerProperties defaults = worker(null, null, null, null);

        LeaseBudget budget = LeaseBudget.of("quickbooks", defaults, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5));

        // 3 x (1 + 5 + 10) + 2 x 2 + 10 + 5 + 2 + 1
        assertThat(budget.terms()).extracting(LeaseBudget.Term::duration).containsExactly(Duration.ofSeconds(48),
                Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(1));
        assertThat(budget.total()).isEqualTo(Duration.ofSeconds(70));
        // the defaults pass their own check
        budget.requireCoveredBy(defaults.lease());
    }

    @Test
    void withoutFastRetriesThereIsOneCallAndNoPause() {
        LeaseBudget budget = LeaseBudget.of("p", worker(null, 1, Duration.ofMillis(100), Duration.ofMillis(250)),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ZERO);

        assertThat(budget.total()).isEqualTo(Duration.ofMillis(1000 + 100 + 250 + 1000));
    }

    @Test
    void aLeaseShorterThanTheWorstCaseRefusesToStartNamingEverySettingAndFigure() {
        WorkerProperties worker = worker(Duration.ofSeconds(60), null, null, null);
        LeaseBudget budget = LeaseBudget.of("quickbooks", worker, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5));

        assertThatThrownBy(() -> budget.requireCoveredBy(worker.lease()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refresher.worker.lease (60s) is shorter than the worst case between a claim and the "
                        + "store of its result for provider quickbooks, 70s = provider calls 48s (3 x (resilience4j "
                        + "bulkhead max-wait-duration 1s + resilience4j rate-limiter timeout-duration 5s + "
                        + "refresher.providers.quickbooks.request-timeout 10s; refresher.worker.fast-retries 3)) + "
                        + "pauses between them 4s (2 x refresher.worker.fast-retry-max-backoff 2s) + store retries 10s "
                        + "(refresher.worker.store-retry-timeout 10s) + hand-off 5s (refresher.handoff.confirm-timeout 5s) "
                        + "+ queued behind the grouped statement ahead 2s "
                        + "(refresher.worker.statement-max-wait 2s) + the statements 1s (claim, failed attempts, "
                        + "store). Another worker could claim the connection and call the provider with the same "
                        + "refresh token: raise refresher.worker.lease to at least 70s, or lower one of these "
                        + "settings");
    }

    @Test
    void aLeaseEqualToTheWorstCaseCoversIt() {
        WorkerProperties worker = worker(Duration.ofMillis(2350), 1, Duration.ofMillis(100), Duration.ofMillis(250));

        LeaseBudget.of("p", worker, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ZERO)
                .requireCoveredBy(worker
                        .lease());
        assertThatThrownBy(
                () -> LeaseBudget.of("p", worker, Duration.ofMillis(1001), Duration.ZERO, Duration.ZERO, Duration.ZERO)
                        .requireCoveredBy(worker.lease()))
                .hasMessageContaining("raise refresher.worker.lease to at least "
                        + "2351ms");
    }

    @Test
    void aStoppingWorkersRefreshUnderWayNeedsOneCallWithItsWaitsAndTheRecordingAndTheDefaultGraceCoversIt() {
        WorkerProperties defaults = worker(null, null, null, null);

        LeaseBudget shutdown = LeaseBudget.forShutdown("quickbooks", defaults, Duration.ofSeconds(10), Duration
                .ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));

        // (1 + 5 + 10) + 10 + 5 + 2 + 1: no fast retry once stopping, so one call whatever fast-retries says
        assertThat(shutdown.terms()).extracting(LeaseBudget.Term::duration).containsExactly(Duration.ofSeconds(16),
                Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(shutdown.total()).isEqualTo(Duration.ofSeconds(34));
        shutdown.requireShutdownGraceCovers(WorkerProperties.DEFAULT_SHUTDOWN_GRACE);
        assertThat(defaults.shutdownGrace()).isEqualTo(WorkerProperties.DEFAULT_SHUTDOWN_GRACE);
    }

    @Test
    void aShutdownGraceShorterThanARefreshUnderWayRefusesToStartNamingEverySettingAndTheOrchestratorsGrace() {
        LeaseBudget shutdown = LeaseBudget.forShutdown("quickbooks", worker(null, null, null, null), Duration
                .ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));

        assertThatThrownBy(() -> shutdown.requireShutdownGraceCovers(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("refresher.worker.shutdown-grace (30s) is shorter than what a refresh under way when the "
                        + "worker stops may still need for provider quickbooks, 34s = the provider call under way 16s "
                        + "(resilience4j bulkhead max-wait-duration 1s + resilience4j rate-limiter timeout-duration 5s "
                        + "+ refresher.providers.quickbooks.request-timeout 10s; no fast retry once stopping) + store "
                        + "retries 10s (refresher.worker.store-retry-timeout 10s) + hand-off 5s "
                        + "(refresher.handoff.confirm-timeout 5s) + queued behind the grouped statement ahead 2s "
                        + "(refresher.worker.statement-max-wait 2s) + the statements 1s (claim, failed attempts, "
                        + "store). A stopping worker would close its consumers while refreshes are still storing what "
                        + "the provider issued: raise refresher.worker.shutdown-grace to at least 34s (and the "
                        + "orchestrator's grace period above it: Kubernetes terminationGracePeriodSeconds, docker "
                        + "compose stop_grace_period), or lower one of these settings");
    }
}
