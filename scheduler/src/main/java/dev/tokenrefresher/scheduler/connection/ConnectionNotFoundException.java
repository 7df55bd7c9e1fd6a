package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/** No connection has this id. */
public class ConnectionNotFoundException extends RefresherException {

    private final UUID connectionId;

    public ConnectionNotFoundException(UUID connectionId) {
        super("connection " + connectionId + " does not exist");
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
