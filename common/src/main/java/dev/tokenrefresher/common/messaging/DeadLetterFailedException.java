package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/** A dead letter was not confirmed by the broker; the original message must stay unacknowledged. */
public class DeadLetterFailedException extends RefresherException {

    private final UUID connectionId;

    DeadLetterFailedException(UUID connectionId, String reason, String problem) {
        super("dead letter (" + reason + ") for connection " + connectionId + " failed: " + problem);
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
