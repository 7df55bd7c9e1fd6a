package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/** No connect session has this id (or it was purged after {@code refresher.connect.retention}). */
public class ConnectSessionNotFoundException extends RefresherException {

    private final UUID sessionId;

    public ConnectSessionNotFoundException(UUID sessionId) {
        super("connect session " + sessionId + " does not exist");
        this.sessionId = sessionId;
    }

    public UUID sessionId() {
        return sessionId;
    }
}
