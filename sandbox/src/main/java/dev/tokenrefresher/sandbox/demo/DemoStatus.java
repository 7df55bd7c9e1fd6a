package dev.tokenrefresher.sandbox.demo;

/**
 * The demo's progress, the body of {@code GET /sandbox/demo}.
 *
 * @param requested
 *            {@code sandbox.demo.connections}
 * @param registered
 *            connections the scheduler took (201 created or 200 re-registered)
 * @param failed
 *            connections whose registration failed; after a stop the ones never tried count as neither
 */
record DemoStatus(int requested, int registered, int failed, DemoState state) {

    static DemoStatus initial(DemoProperties properties) {
        return new DemoStatus(properties.connections(), 0, 0,
                properties.enabled() ? DemoState.WAITING_FOR_SCHEDULER : DemoState.OFF);
    }

    DemoStatus withState(DemoState changed) {
        return new DemoStatus(requested, registered, failed, changed);
    }

    DemoStatus oneMoreRegistered() {
        return new DemoStatus(requested, registered + 1, failed, state);
    }

    DemoStatus oneMoreFailed() {
        return new DemoStatus(requested, registered, failed + 1, state);
    }
}
