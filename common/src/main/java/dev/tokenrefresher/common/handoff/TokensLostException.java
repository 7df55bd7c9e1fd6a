package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.RefresherException;
import java.util.UUID;

/** The process was stopped while it held issued tokens that neither PostgreSQL nor RabbitMQ had taken. */
public class TokensLostException extends RefresherException {

    private final UUID connectionId;

    TokensLostException(UUID connectionId) {
        super("the tokens issued to connection " + connectionId + " were recorded nowhere when the process stopped");
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
