package dev.tokenrefresher.sandbox.faults;

import java.util.concurrent.atomic.AtomicLong;
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

    /** The tail faults and which setting of them they are: each connection counts its calls from that setting on. */
    private record InForce(TailSpec spec, long setting) {
    }

    private final AtomicLong settings = new AtomicLong();
    private final AtomicReference<InForce> inForce = new AtomicReference<>(new InForce(TailSpec.OFF, 0));

    /**
     * What happens to a call of the connection with this number, which counts it among its calls since the tail faults
     * in force were set: their first call after a change is the first they hit, then every {@code everyCalls}th.
     */
    public TailDecision decide(long connectionNumber, CallCount calls) {
        InForce current = inForce.get();
        return current.spec().off()
                ? TailDecision.UNAFFECTED
                : current.spec().decide(connectionNumber, calls.callSince(current.setting()));
    }

    /** The group of the connection with this number; {@link TailGroup#OTHER} while the tail faults are off. */
    public TailGroup groupOf(long connectionNumber) {
        return inForce.get().spec().groupOf(connectionNumber);
    }

    TailSpec spec() {
        return inForce.get().spec();
    }

    void change(TailSpec changed) {
        inForce.set(new InForce(changed, settings.incrementAndGet()));
        log.info("Sandbox tail faults: {}", changed);
    }

    void clear() {
        if (inForce.getAndSet(new InForce(TailSpec.OFF, settings.incrementAndGet())).spec() != TailSpec.OFF) {
            log.info("Sandbox tail faults off");
        }
    }
}
