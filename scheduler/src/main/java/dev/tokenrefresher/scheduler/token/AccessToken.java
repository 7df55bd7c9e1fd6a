package dev.tokenrefresher.scheduler.token;

import java.time.Instant;
import java.util.UUID;

/**
 * A fresh access token for a host app: the one response of the API that carries a token.
 *
 * @param realmId the provider's account id the token is for (QuickBooks' company id); {@code null} if none was given
 * @param refreshed whether this call refreshed the token (rather than finding it fresh enough)
 * @param minValidityMet whether the token stays valid for the validity asked for (or the default). {@code false} only
 *            for a token issued during this call that still falls short (the provider issues tokens barely longer
 *            than asked, and the call took the difference): as fresh as a token gets, so it is answered rather than
 *            refreshed again
 */
public record AccessToken(UUID connectionId, String tokenType, String accessToken, Instant expiresAt, String realmId,
        boolean refreshed, boolean minValidityMet) {

    @Override
    public String toString() {
        return "AccessToken[connectionId=" + connectionId + ", expiresAt=" + expiresAt + ", refreshed=" + refreshed
                + ", minValidityMet=" + minValidityMet + "]";
    }
}
