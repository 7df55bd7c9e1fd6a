package dev.tokenrefresher.scheduler.token;

import dev.tokenrefresher.common.RefresherException;
import java.time.Duration;
import java.util.UUID;

/**
 * No access token fresh enough could be had right now: the provider failed (5xx, 429, timeout), refused the app's
 * credentials, or a refresh in flight elsewhere did not finish in time. The connection's chain goes on; the caller
 * may try again.
 */
public class AccessTokenUnavailableException extends RefresherException {

    private final UUID connectionId;
    private final String provider;
    private final String errorCode;
    private final boolean providerRejected;
    private final Duration retryAfter;

    AccessTokenUnavailableException(UUID connectionId, String provider, String errorCode, boolean providerRejected,
            Duration retryAfter, String why) {
        super("no fresh access token for connection " + connectionId + " (provider " + provider + "): " + why);
        this.connectionId = connectionId;
        this.provider = provider;
        this.errorCode = errorCode;
        this.providerRejected = providerRejected;
        this.retryAfter = retryAfter;
    }

    public UUID connectionId() {
        return connectionId;
    }

    public String provider() {
        return provider;
    }

    /**
     * The provider's error code or our own ({@code timeout}, {@code refresh_in_flight}, {@code quiet_period}: an
     * earlier call timed out and the provider may still be serving it).
     */
    public String errorCode() {
        return errorCode;
    }

    /** Whether the provider refused the app's credentials (retrying will not help until they are fixed). */
    public boolean providerRejected() {
        return providerRejected;
    }

    /** When to try again; {@code null} when unknown. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
