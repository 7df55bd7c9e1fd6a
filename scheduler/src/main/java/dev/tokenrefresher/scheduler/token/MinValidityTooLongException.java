package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.RefresherException;
import java.time.Duration;
import java.util.UUID;

/**
 * No token could be valid as long as the caller asked: the provider's tokens do not live longer than that. Raised
 * before any provider call.
 */
public class MinValidityTooLongException extends RefresherException {

    private final UUID connectionId;

    MinValidityTooLongException(UUID connectionId, Duration asked, Duration lifetime) {
        super("connection " + connectionId + ": asked for " + asked.toSeconds() + " s of validity, but the provider's "
                + "access tokens live " + lifetime.toSeconds() + " s; ask for less than that");
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
