package dev.tokenrefresher.scheduler.keys;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/**
 * A connection's stored tokens cannot be decrypted by any configured key; it is parked with reason
 * {@code undecryptable} until an operator configures the key and replays its dead letter, or the tenant reconnects.
 */
public class UndecryptableConnectionException extends RefresherException {

    private final UUID connectionId;

    public UndecryptableConnectionException(UUID connectionId, String detail) {
        super("the stored tokens of connection " + connectionId + " cannot be decrypted (" + detail + "); it is "
                + "parked: configure the key and replay its dead letter, or have the tenant reconnect");
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
