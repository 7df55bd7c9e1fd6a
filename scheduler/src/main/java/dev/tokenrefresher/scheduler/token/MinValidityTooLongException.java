package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.RefresherException;
import java.time.Duration;
import java.util.UUID;

/** Even a token just refreshed would not live as long as the caller asked: the provider issues shorter ones. */
public class MinValidityTooLongException extends RefresherException {

    private final UUID connectionId;

    MinValidityTooLongException(UUID connectionId, Duration asked, Duration lifetime) {
        super("connection " + connectionId + ": asked for " + asked.toSeconds() + " s of validity, but the provider's "
                + "access tokens live " + lifetime.toSeconds() + " s");
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
