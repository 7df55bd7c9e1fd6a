package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkerPropertiesTest {

    private static WorkerProperties batches(Integer prefetch, Integer batchSize, Duration batchWait) {
        return new WorkerProperties("w", null, prefetch, batchSize, batchWait, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    @Test
    void concurrencyIsSplitIntoBatchesOfTheBatchSizeOneConsumerEach() {
        WorkerProperties properties = batches(null, 50, null);

        assertThat(properties.batchSizeFor(100)).isEqualTo(50);
        assertThat(properties.consumersFor(100)).isEqualTo(2);
        assertThat(properties.batchSizeFor(120)).isEqualTo(50);
        assertThat(properties.consumersFor(120)).isEqualTo(3);
    }

    @Test
    void aConcurrencyBelowTheBatchSizeIsOneConsumerWithBatchesOfTheConcurrency() {
        WorkerProperties properties = batches(null, 50, null);

        assertThat(properties.batchSizeFor(8)).isEqualTo(8);
        assertThat(properties.consumersFor(8)).isEqualTo(1);
    }

    @Test
    void defaultsPrefetchTwoBatchesAndWaitFiftyMillisecondsForAFullBatch() {
        WorkerProperties properties = batches(null, null, null);

        assertThat(properties.batchSize()).isEqualTo(100);
        assertThat(properties.prefetchFor(600)).isEqualTo(200);
        // a provider whose concurrency is below the batch size still prefetches the 100 it always did
        assertThat(properties.prefetchFor(8)).isEqualTo(100);
        assertThat(properties.batchWait()).isEqualTo(Duration.ofMillis(50));
        assertThat(batches(null, 400, null).prefetchFor(600)).isEqualTo(800);
        assertThat(batches(150, 50, null).prefetchFor(8)).isEqualTo(150);
    }

    @Test
    void aPrefetchSmallerThanTheBatchIsRefusedNamingBoth() {
        assertThatThrownBy(() -> batches(10, 50, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refresher.worker.prefetch (10)")
                .hasMessageContaining("refresher.worker.batch-size (50)");
    }

    @Test
    void anEarlyToleranceUnderASecondIsRefusedBecauseTheLadderDeliversUpToASecondEarly() {
        assertThatThrownBy(() -> new WorkerProperties("w", null, null, null, null, null, Duration.ofMillis(500), null,
                null, null, null, null, null, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refresher.worker.early-tolerance must be at least 1s");
    }

    @Test
    void refreshesAreReportedLateFromThirtySecondsAfterTheirDueTimeUnlessSetOtherwise() {
        assertThat(batches(null, null, null).lateWarning()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> new WorkerProperties("w", null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, Duration.ZERO, null)).hasMessageContaining(
                        "refresher.worker.late-warning must be positive");
    }

    @Test
    void aBatchOfNothingOrNoWaitIsRefused() {
        assertThatThrownBy(() -> batches(null, 0, null)).hasMessageContaining("batch-size");
        assertThatThrownBy(() -> batches(null, 10, Duration.ZERO)).hasMessageContaining("batch-wait");
    }
}
