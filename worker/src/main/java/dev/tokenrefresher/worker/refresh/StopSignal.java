package dev.tokenrefresher.worker.refresh;

import org.springframework.stereotype.Component;

/**
 * Raised once, when the worker begins to stop ({@link RefreshDispatcher#stopTaking()}): from then on no delivery is
 * started and no transient failure is retried at once. A refresh already under way finishes its provider call and
 * records what came of it, which {@code refresher.worker.shutdown-grace} covers; a fast retry would need another whole
 * request timeout, so the failure goes the delayed way instead (lease released, next message through the ladder).
 */
@Component
class StopSignal {

    private volatile boolean raised;

    void raise() {
        raised = true;
    }

    boolean raised() {
        return raised;
    }
}
