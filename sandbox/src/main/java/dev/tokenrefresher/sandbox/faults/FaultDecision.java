package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.util.Objects;

/** How the token endpoint answers one request, decided when it arrives and before any token logic runs. */
public sealed interface FaultDecision {

    /** How long the request stays in flight before it is answered. */
    Duration delay();

    /** No fault: the token logic answers, after the latency. */
    record Proceed(Duration delay) implements FaultDecision {

        public Proceed {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** The fault answers after the delay, and the request's tokens are left as they are. */
    record Inject(Duration delay, InjectedFault fault) implements FaultDecision {

        public Inject {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(fault, "fault");
        }
    }
}
