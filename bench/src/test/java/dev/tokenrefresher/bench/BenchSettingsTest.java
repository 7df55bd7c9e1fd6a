package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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

    @Test
    void theSteadyStatesSweepRunsEveryFiveSecondsUnlessToldOtherwise() {
        assertThat(BenchSettings.parse().steady().sweepInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(BenchSettings.parse("--steady-sweep-interval-seconds=30").steady().sweepInterval()).isEqualTo(
                Duration.ofSeconds(30));
        assertThatThrownBy(() -> BenchSettings.parse("--steady-sweep-interval-seconds=0")).hasMessage(
                "--steady-sweep-interval-seconds must be at least 1, was 0");
    }

    @Test
    void theSandboxIsWarmedOnceBeforeTheFirstRunWithAtMostTheCatchUpsConnections() {
        assertThat(BenchSettings.parse().sandboxWarmup()).isEqualTo(BenchSettings.DEFAULT_SANDBOX_WARMUP);
        assertThat(BenchSettings.parse("--quick").sandboxWarmup()).isEqualTo(BenchSettings.QUICK_SANDBOX_WARMUP);
        assertThat(BenchSettings.parse("--connections=1000").sandboxWarmup()).isEqualTo(1000);
        assertThat(BenchSettings.parse("--sandbox-warmup=0").sandboxWarmup()).isZero();
        assertThat(BenchSettings.parse("--sandbox-warmup=-5").sandboxWarmup()).isZero();
    }

    @Test
    void theOneAtATimeSweepIsMeasuredForAtMostTenSecondsThePooledOneForTheSweepLimit() {
        BenchSettings settings = BenchSettings.parse("--sweep-seconds=45");

        assertThat(settings.sweepLimit(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.sweepLimit(600)).isEqualTo(Duration.ofSeconds(45));
        assertThat(BenchSettings.parse("--sweep-seconds=5").sweepLimit(1)).isEqualTo(Duration.ofSeconds(5));
        // by default the pooled sweep has time to finish, as the workers' catch-ups do
        assertThat(BenchSettings.parse().sweepLimit(600)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theReportNamesTheCommandWithItsSizesButNotThePropertiesItListsAmongItsSettings() {
        BenchSettings settings = BenchSettings.parse("--workers=1", "--property=refresher.x=y",
                "--steady-connections=100000", "--worker-property=refresher.worker.z=1", "--no-sweep");

        assertThat(settings.command()).isEqualTo(
                "scripts/bench.sh --workers=1 --steady-connections=100000 --no-sweep");
        assertThat(BenchSettings.parse().command()).isEqualTo("scripts/bench.sh");
    }

    @Test
    void secretPropertiesAreHiddenInTheLogLineWhileOtherSettingsShowTheirValues() {
        BenchSettings settings = BenchSettings.parse("--workers=1", "--property=refresher.crypto.key=k3y-material",
                "--worker-property=refresher.providers.quickbooks.client-secret=s3cret",
                "--property=refresher.messaging.ladder-early-fraction=0");

        assertThat(settings.toString()).doesNotContain("k3y-material").doesNotContain("s3cret")
                .contains("refresher.crypto.key=******", "refresher.providers.quickbooks.client-secret=******",
                        "refresher.messaging.ladder-early-fraction=0", "command=scripts/bench.sh --workers=1");
        assertThat(BenchSettings.shown("spring.rabbitmq.password", "guest")).isEqualTo(BenchSettings.HIDDEN);
        assertThat(BenchSettings.shown("refresher.worker.batch-size", "10")).isEqualTo("10");
    }

    @Test
    void steadyConnectionsAskedForBeyondTheCatchUpsAreRefusedWhileTheDefaultShrinksToThem() {
        assertThatThrownBy(() -> BenchSettings.parse("--connections=2000", "--steady-connections=100000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--steady-connections=100000 is more than --connections=2000: the steady state reuses "
                        + "the catch-up's connections");
        assertThat(BenchSettings.parse("--connections=2000").steady().connections()).isEqualTo(2000);
        assertThat(BenchSettings.parse("--connections=2000", "--steady-connections=2000").steady().connections())
                .isEqualTo(2000);
    }

    @Test
    void theTailScenarioRunsInQuickModeAndWhenAskedForNotInTheDefaultRun() {
        assertThat(BenchSettings.parse().tail().cases()).isEmpty();
        assertThat(BenchSettings.parse("--quick").tail().cases()).extracting(TailCase::name).containsExactly(
                "hang10");
        assertThat(BenchSettings.parse("--quick", "--tail-only").tail().cases()).extracting(TailCase::name)
                .containsExactly("hang10", "hang1-slow10");
        assertThat(BenchSettings.parse("--quick").tail().requestTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(BenchSettings.parse("--tail=hang10", "--tail-timeout-seconds=8", "--tail-seconds=90").tail())
                .isEqualTo(new TailSettings(java.util.List.of(TailCase.parse("hang10")), Duration.ofSeconds(8),
                        Duration.ofSeconds(90), false));
        assertThat(BenchSettings.parse("--quick", "--tail=none").tail().cases()).isEmpty();
        assertThatThrownBy(() -> BenchSettings.parse("--tail=hang10,hang10")).hasMessage(
                "--tail names a tail twice: hang10,hang10");
    }

    @Test
    void tailOnlyRunsTheTailAtTheSteadyStatesSizeIntoItsOwnReport() {
        BenchSettings settings = BenchSettings.parse("--tail-only");

        assertThat(settings.tail().only()).isTrue();
        assertThat(settings.tail().cases()).hasSize(2);
        assertThat(settings.tail().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.tail().duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.connections()).isEqualTo(BenchSettings.DEFAULT_STEADY_CONNECTIONS);
        assertThat(settings.workerCounts()).isEmpty();
        assertThat(settings.steady().duration()).isZero();
        assertThat(settings.footprintConnections()).isZero();
        assertThat(settings.report()).hasToString("docs/benchmarks-tail.md");
        assertThat(BenchSettings.parse("--tail-only", "--quick").report()).hasToString(
                "bench/target/benchmarks-tail.md");
        assertThatThrownBy(() -> BenchSettings.parse("--tail-only", "--tail=none")).hasMessage(
                "--tail-only with --tail=none leaves nothing to run");
    }
}
