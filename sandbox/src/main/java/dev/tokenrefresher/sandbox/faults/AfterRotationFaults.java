package dev.tokenrefresher.sandbox.faults;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Faults decided <em>after</em> a refresh was granted, so the rotation has happened and only the answer is lost: for
 * the next N granted refreshes of any connection, or of one connection (by its realm id). A connection's own faults
 * come before the ones for any connection. Unlike the faults decided when a request arrives, these spend the
 * presented refresh token.
 */
@Component
public class AfterRotationFaults {

    private static final Logger log = LoggerFactory.getLogger(AfterRotationFaults.class);

    /** {@code remaining} grants lose their answer to {@code fault}. */
    private record Pending(int remaining, AfterRotationFault fault) {
        static final Pending NONE = new Pending(0, null);

        Pending used() {
            return remaining <= 1 ? NONE : new Pending(remaining - 1, fault);
        }
    }

    private final AtomicReference<Pending> anyConnection = new AtomicReference<>(Pending.NONE);
    private final Map<String, Pending> byRealm = new ConcurrentHashMap<>();

    /**
     * The next {@code calls} granted refreshes (of the connection with {@code realmId}, or of any when it is null)
     * lose their answer to {@code fault}. Replaces what was pending for that target.
     */
    void inject(AfterRotationFault fault, int calls, String realmId) {
        Pending pending = new Pending(calls, fault);
        if (realmId == null) {
            anyConnection.set(pending);
        } else {
            byRealm.put(realmId, pending);
        }
        log.info("The next {} granted refreshes{} lose their answer after the rotation: {}", calls, realmId == null
                ? ""
                : " of realm " + realmId, fault.kind().jsonName());
    }

    /** The fault for this grant of the connection with {@code realmId}, if one is pending; it is used up. */
    public Optional<AfterRotationFault> take(String realmId) {
        Pending[] taken = new Pending[1];
        byRealm.computeIfPresent(realmId, (realm, pending) -> {
            taken[0] = pending;
            Pending left = pending.used();
            return left.remaining() == 0 ? null : left;
        });
        if (taken[0] == null) {
            taken[0] = anyConnection.getAndUpdate(Pending::used);
        }
        return taken[0].remaining() > 0 ? Optional.of(taken[0].fault()) : Optional.empty();
    }

    /** Pending faults of one connection and of any connection, summed, for the faults view. */
    int pending() {
        return anyConnection.get().remaining() + byRealm.values().stream().mapToInt(Pending::remaining).sum();
    }

    void clear() {
        anyConnection.set(Pending.NONE);
        byRealm.clear();
    }
}
