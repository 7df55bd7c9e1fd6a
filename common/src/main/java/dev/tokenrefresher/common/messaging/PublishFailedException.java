package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/**
 * The broker did not confirm a refresh message. The connection's row is already up to date, so the reconciliation
 * sweep will re-enqueue it; the caller decides whether to tell its client.
 */
public class PublishFailedException extends RefresherException {

    private final UUID connectionId;
    private final long fence;

    PublishFailedException(UUID connectionId, long fence, String reason) {
        super("refresh message for connection " + connectionId + " (fence " + fence + ") was not confirmed: "
                + reason);
        this.connectionId = connectionId;
        this.fence = fence;
    }

    public UUID connectionId() {
        return connectionId;
    }

    public long fence() {
        return fence;
    }
}
