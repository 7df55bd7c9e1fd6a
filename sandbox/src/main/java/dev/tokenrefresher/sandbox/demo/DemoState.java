package dev.tokenrefresher.sandbox.demo;

/** Where the demo registration stands, as {@code GET /sandbox/demo} reports it. */
enum DemoState {

    /** {@code sandbox.demo.connections} is 0. */
    OFF,

    /** Trying the first registration until the scheduler answers or {@code sandbox.demo.scheduler-wait} runs out. */
    WAITING_FOR_SCHEDULER,

    /** The scheduler took the first connection; registering the rest. */
    REGISTERING,

    /** Every requested connection is registered. */
    DONE,

    /** Stopped early (scheduler not reachable in time, a 4xx answer) or finished with some connections failed. */
    FAILED
}
