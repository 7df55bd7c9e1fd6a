package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.RefresherException;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import java.util.UUID;

/** The operation needs an ACTIVE connection, and this one is not: it needs re-authorization or was disconnected. */
public class ConnectionNotActiveException extends RefresherException {

    private final UUID connectionId;
    private final ConnectionStatus status;

    public ConnectionNotActiveException(UUID connectionId, ConnectionStatus status) {
        super("connection " + connectionId + " is " + status + (status == ConnectionStatus.REAUTH_REQUIRED
                ? ": the tenant must reconnect"
                : ""));
        this.connectionId = connectionId;
        this.status = status;
    }

    public UUID connectionId() {
        return connectionId;
    }

    public ConnectionStatus status() {
        return status;
    }
}
