package dev.tokenrefresher.common.connection;

import java.util.UUID;

/**
 * A connection just disconnected, with the refresh token it held until then (for a revocation at the provider).
 *
 * @param refreshToken the last refresh token; never logged. {@code null} if it could not be decrypted (the connection
 *            was undecryptable): no revocation is possible
 */
public record Disconnected(UUID connectionId, String provider, String refreshToken) {

    @Override
    public String toString() {
        return "Disconnected[connectionId=" + connectionId + ", provider=" + provider + "]";
    }
}
