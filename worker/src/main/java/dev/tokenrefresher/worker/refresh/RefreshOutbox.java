package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher.Outgoing;
import java.util.ArrayList;
import java.util.List;

/**
 * What handling one delivered message wants published, collected instead of sent, so that a whole batch's messages go
 * out together and are confirmed together: one round of publisher confirms per batch rather than one per refresh.
 *
 * <p>Two kinds of message differ in what a failed publish means. A <em>re-delay</em> (early, leased, paused) is the
 * delivered message itself coming back later: if it is not confirmed the delivery must be requeued, or the chain ends.
 * The <em>next</em> message of a chain follows a stored row: if it is not confirmed, the row still holds its due time
 * and the reconciliation sweep re-enqueues it, so the delivery is acknowledged anyway.
 */
final class RefreshOutbox {

    private Outgoing redelay;
    private Outgoing next;
    private final List<ConnectionEvent> events = new ArrayList<>(2);

    void redelay(String provider, RefreshMessage message) {
        redelay = new Outgoing(provider, message);
    }

    void next(String provider, RefreshMessage message) {
        next = new Outgoing(provider, message);
    }

    void event(ConnectionEvent event) {
        events.add(event);
    }

    void events(List<ConnectionEvent> more) {
        events.addAll(more);
    }

    /** The message that must be confirmed before the delivery may be acknowledged, or null. */
    Outgoing redelay() {
        return redelay;
    }

    /** The chain's next message, confirmed on a best-effort basis, or null. */
    Outgoing next() {
        return next;
    }

    List<ConnectionEvent> events() {
        return events;
    }
}
