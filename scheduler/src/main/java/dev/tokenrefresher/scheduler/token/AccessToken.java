package dev.tokenrefresher.scheduler.token;

import java.time.Instant;
import java.util.UUID;

/**
 * A fresh access token for a host app: the one response of the API that carries a token.
 *
 * @param realmId the provider's account id the token is for (QuickBooks' company id); {@code null} if none was given
 * @param refreshed whether this call refreshed the token (rather than finding it fresh enough)
 */
public record AccessToken(UUID connectionId, String tokenType, String accessToken, Instant expiresAt, String realmId,
        boolean refreshed) {

    @Override
    public String toString() {
        return "AccessToken[connectionId=" + connectionId + ", expiresAt=" + expiresAt + ", refreshed=" + refreshed
                + "]";
    }
}
