package dev.tokenrefresher.sandbox.token;

import java.time.Duration;

/** Waits out the configured latency; an interface so tests can hold a request in flight without sleeping. */
@FunctionalInterface
interface Pause {

    void pause(Duration duration);
}
