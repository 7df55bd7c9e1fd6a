package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

/** The decrypted tokens of a connection. Never log or serialize this outside the access-token API. */
public record StoredTokens(UUID connectionId, String realmId, String accessToken, String refreshToken,
        Instant accessExpiresAt) {

    @Override
    public String toString() {
        return "StoredTokens[connectionId=" + connectionId + ", accessExpiresAt=" + accessExpiresAt + "]";
    }
}
