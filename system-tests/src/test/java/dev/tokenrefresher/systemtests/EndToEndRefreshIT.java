package dev.tokenrefresher.systemtests;

import org.junit.jupiter.api.Test;

/** The refresh loop end to end, every part real and in its own process. */
class EndToEndRefreshIT {

    @Test
    void everyConnectionStaysFreshForAsLongAsTheSystemRuns() {
        RefreshLoopRun run = new RefreshLoopRun("end-to-end");
        try (RunningSystem system = run.system) {
            run.run(null, null);

            run.assertEveryChainIsAliveAndIntact();
            run.assertNoTokenLeaked();
        }
    }
}
