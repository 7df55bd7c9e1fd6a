package dev.tokenrefresher.common.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events' routing keys that the broker returned as unroutable (no queue bound to them), each dropped until its
 * next probe: an event type that nobody subscribes to is published once per probe interval instead of with every
 * refresh, and a queue bound meanwhile receives the key's events from the next probe on.
 */
final class UnroutedEventKeys {

    private final Duration probeInterval;
    private final Map<String, Instant> droppedUntil = new ConcurrentHashMap<>();

    /** @param probeInterval how long a returned key's events are dropped; zero publishes every event */
    UnroutedEventKeys(Duration probeInterval) {
        this.probeInterval = probeInterval;
    }

    /** Whether an event with this routing key goes out at {@code now}: its key was not returned, or its probe is due. */
    boolean shouldPublish(String routingKey, Instant now) {
        Instant until = droppedUntil.get(routingKey);
        if (until == null) {
            return true;
        }
        if (now.isBefore(until)) {
            return false;
        }
        // the probe: this event goes out, and the key stays open until the broker returns one again
        droppedUntil.remove(routingKey, until);
        return true;
    }

    /** The broker returned an event with this key at {@code now}: no queue is bound to it. */
    void returned(String routingKey, Instant now) {
        if (!probeInterval.isZero()) {
            droppedUntil.put(routingKey, now.plus(probeInterval));
        }
    }
}
