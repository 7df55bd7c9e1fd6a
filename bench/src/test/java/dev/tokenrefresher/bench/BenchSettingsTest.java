package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    @Test
    void concurrencyIsTheTotalInFlightSplitEvenlyAmongTheWorkersOfARun() {
        BenchSettings settings = BenchSettings.parse("--concurrency=300", "--workers=1,2,4");

        assertThat(settings.concurrency()).isEqualTo(300);
        assertThat(settings.concurrencyPerWorker(1)).isEqualTo(300);
        assertThat(settings.concurrencyPerWorker(2)).isEqualTo(150);
        assertThat(settings.concurrencyPerWorker(4)).isEqualTo(75);
        assertThat(BenchSettings.parse("--concurrency=100").concurrencyPerWorker(3)).isEqualTo(34);
    }

    @Test
    void theDefaultConcurrencyCanReachTheTargetRateAtTheProvidersLatency() {
        BenchSettings settings = BenchSettings.parse();

        // 1,500 refreshes/s at 100 ms per provider call need at least 150 in flight
        assertThat(settings.concurrency()).isEqualTo(BenchSettings.DEFAULT_CONCURRENCY).isGreaterThanOrEqualTo(150);
    }

    @Test
    void aWorkerCountListedTwiceIsRefusedBecauseEachNamesOneRun() {
        assertThatThrownBy(() -> BenchSettings.parse("--workers=1,1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--workers lists a worker count twice: 1,1");
    }
}
