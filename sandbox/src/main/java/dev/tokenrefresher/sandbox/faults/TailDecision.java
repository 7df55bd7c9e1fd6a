package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.util.Objects;

/** What the tail faults decided for one call of a connection. */
public sealed interface TailDecision {

    /** Not delayed by the tail: the settings and the other faults decide alone. */
    TailDecision UNAFFECTED = new Unaffected();

    /** The call is let through as usual. */
    record Unaffected() implements TailDecision {
    }

    /**
     * The call is held for {@code hold} at the front door, never reaching the token logic, then answered with
     * {@code fault} (a gateway's 504): a client that gave up earlier never sees an answer.
     */
    record Hang(Duration hold, InjectedFault fault) implements TailDecision {

        public Hang {
            Objects.requireNonNull(hold, "hold");
            Objects.requireNonNull(fault, "fault");
        }
    }

    /** The token logic answers as usual, after {@code latency} instead of the configured latency. */
    record Slow(Duration latency) implements TailDecision {

        public Slow {
            Objects.requireNonNull(latency, "latency");
        }
    }
}
