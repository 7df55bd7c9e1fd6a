package dev.tokenrefresher.common.connection;

import java.util.UUID;

/**
 * A connection just disconnected, with the refresh token it held until then (for a revocation at the provider).
 *
 * @param refreshToken the last refresh token; never logged
 */
public record Disconnected(UUID connectionId, String provider, String refreshToken) {

    @Override
    public String toString() {
        return "Disconnected[connectionId=" + connectionId + ", provider=" + provider + "]";
    }
}
