package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/** The broker did not confirm a hand-off of issued tokens: they are still only in this process's memory. */
public class HandoffFailedException extends RefresherException {

    private final UUID connectionId;

    HandoffFailedException(UUID connectionId, String reason) {
        super("hand-off of the tokens issued to connection " + connectionId + " was not confirmed: " + reason);
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
