package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A worker dies mid-run without warning; the other carries every chain on. */
class WorkerCrashIT {

    private static final Duration KILL_AT = Duration.ofSeconds(12);

    @Test
    void chainsSurviveAWorkerKilledMidRun() {
        RefreshLoopRun run = new RefreshLoopRun("worker-crash");
        try (RunningSystem system = run.system) {
            AppProcess victim = system.workers().getFirst();

            run.run(KILL_AT, s -> WorkerKiller.killOutsideTheUnprotectableWindow(s, victim));

            assertThat(victim.isAlive()).isFalse();
            run.assertEveryChainIsAliveAndIntact();
            run.assertNoTokenLeaked();
        }
    }
}
