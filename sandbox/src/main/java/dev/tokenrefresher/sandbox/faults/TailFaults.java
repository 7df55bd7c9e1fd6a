package dev.tokenrefresher.sandbox.faults;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The tail faults in force ({@code /sandbox/faults/tail}): slow calls aimed at a share of the connections, so that a
 * test can watch whether the other connections' refreshes wait for them. Unlike the other faults, these depend on the
 * connection a request is for; the token authority asks once it has found it.
 */
@Component
public class TailFaults {

    private static final Logger log = LoggerFactory.getLogger(TailFaults.class);

    private final AtomicReference<TailSpec> spec = new AtomicReference<>(TailSpec.OFF);

    /** What happens to the {@code call}th call (1 for the first) of the connection with this number. */
    public TailDecision decide(long connectionNumber, long call) {
        TailSpec current = spec.get();
        return current.off() ? TailDecision.UNAFFECTED : current.decide(connectionNumber, call);
    }

    /** The group of the connection with this number; {@link TailGroup#OTHER} while the tail faults are off. */
    public TailGroup groupOf(long connectionNumber) {
        return spec.get().groupOf(connectionNumber);
    }

    TailSpec spec() {
        return spec.get();
    }

    void change(TailSpec changed) {
        spec.set(changed);
        log.info("Sandbox tail faults: {}", changed);
    }

    void clear() {
        if (spec.getAndSet(TailSpec.OFF) != TailSpec.OFF) {
            log.info("Sandbox tail faults off");
        }
    }
}
