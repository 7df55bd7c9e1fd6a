package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityTest {

    private static final Capacity.Costs COSTS = new Capacity.Costs(12_000, 120, Duration.ofSeconds(60), 3, 1.5, 2.0,
            0.25, 2_000, 1_000, 1_500, 150);

    @Test
    void aOneHourTokenWithTheDefaultLeadIsRefreshedEvery2816SecondsAfterTheLaddersCoarseningThreeLevelsDeep() {
        // 50 minutes less the refresh's milliseconds: 2999 s = 0b1011_1011_0111, its lowest 8 digits (183 s) cleared
        assertThat(Capacity.refreshInterval(Duration.ofMinutes(50))).isEqualTo(2816);
        assertThat(Capacity.hops(2816)).isEqualTo(3);
        // the benchmark's steady-state cycles
        assertThat(Capacity.refreshInterval(Duration.ofSeconds(20))).isEqualTo(18);
        assertThat(Capacity.refreshInterval(Duration.ofSeconds(60))).isEqualTo(56);
        assertThat(Capacity.hops(56)).isEqualTo(3);
    }

    @Test
    void theSizesScaleTheMeasuredCostsByTheRefreshRateOfEachConnectionCount() {
        Capacity capacity = Capacity.of(COSTS);

        assertThat(capacity.interval()).isEqualTo(Duration.ofSeconds(2816));
        assertThat(capacity.sizings()).extracting(Capacity.Sizing::connections).containsExactly(100_000L,
                1_000_000L, 10_000_000L);
        Capacity.Sizing million = capacity.sizings().get(1);
        double rate = 1_000_000 / 2816.0;
        assertThat(million.refreshesPerSecond()).isCloseTo(355.1, within(0.1));
        assertThat(million.cores()).containsEntry(Capacity.WORKERS, rate * 1.5 / 1000).containsEntry(Capacity.BROKER,
                rate * 2.0 / 1000).containsEntry(Capacity.DATABASE, rate * 0.25 / 1000);
        assertThat(million.brokerBytes()).isEqualTo(1e9);
        assertThat(million.connectionTableBytes()).isEqualTo(1.5e9);
        assertThat(million.attemptBytesPerDay()).isCloseTo(rate * 86_400 * 150, within(1.0));
        assertThat(million.walBytesPerDay()).isCloseTo(rate * 86_400 * 2_000, within(1.0));
        assertThat(capacity.sizings().get(2).refreshesPerSecond()).isCloseTo(3_551, within(1.0));
    }

    @Test
    void theCostsPerRefreshComeFromTheWorkersSteadyStateAndWhatWasNotMeasuredStaysUnknown() {
        BenchSettings settings = BenchSettings.parse("--quick");
        RunResult run = new RunResult("token-refresher, 2 workers, steady state", "2 × 300 in flight", 3_000, 60,
                Map.of(Capacity.WORKERS, 4.5, Capacity.BROKER, 6.0, Capacity.DATABASE, 0.9, "sandbox", 2.0), List.of(),
                true);
        SteadyResult steady = new SteadyResult(settings.steady(), 1_000, run, LatenessHistogram.empty(), 0, null, 0,
                0, 0, null, 3_000_000);

        Capacity.Costs costs = Capacity.costs(steady, steady.walBytes(), null, new TableSizes(3_000_000, 2_000,
                600_000, 4_000));

        assertThat(costs.workerCpuMillis()).isEqualTo(1.5);
        assertThat(costs.brokerCpuMillis()).isEqualTo(2.0);
        assertThat(costs.databaseCpuMillis()).isCloseTo(0.3, within(1e-9));
        assertThat(costs.walBytes()).isEqualTo(1_000);
        assertThat(costs.connectionRowBytes()).isEqualTo(1_500);
        assertThat(costs.attemptRowBytes()).isEqualTo(150);
        // quick's 20-s cycle: the next message is delayed 18 s, two levels of the ladder
        assertThat(costs.hops()).isEqualTo(2);
        assertThat(costs.brokerBytesPerConnection()).isNegative();
        assertThat(Capacity.of(costs).sizings().getFirst().brokerBytes()).isNegative();
    }

    @Test
    void theReportStatesTheCostsPerRefreshAndTheSizesWithTheirUnits() {
        StringBuilder md = new StringBuilder();

        CapacityReport.section(md, Capacity.of(COSTS));

        assertThat(md.toString()).contains("| worker CPU | 1.50 ms |", "| broker CPU | 2.00 ms |",
                "| database CPU | 0.25 ms |", "1,000 bytes |", "refreshed every 2,816 s",
                "| 1,000,000 | 355 | 0.53 | 0.71 | 0.09 | 953.7 MiB | 1.4 GiB | 4.3 GiB | 57.1 GiB |",
                "walking 3 levels");
        assertThat(CapacityReport.bytes(-1)).isEqualTo("–");
        assertThat(CapacityReport.bytes(1_536)).isEqualTo("1.5 KiB");
    }
}
