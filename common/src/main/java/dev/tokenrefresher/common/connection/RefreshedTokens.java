package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.provider.TokenGrant;
import java.time.Duration;
import java.time.Instant;

/**
 * What a successful refresh stores.
 *
 * @param accessToken the new access token; {@code null} when the answer had no usable one, which keeps the stored
 *            access token and its expiry (the refresh token, the precious part, is stored all the same)
 * @param refreshToken the new refresh token; {@code null} when the provider returned none, which keeps the stored one
 * @param accessExpiresAt {@code null} with {@code accessToken}
 * @param accessLifetime how long the access token was issued for; {@code null} with {@code accessToken}
 * @param refreshExpiresAt the refresh token's new expiry; {@code null} when unknown, which keeps the stored one
 * @param refreshHardExpiresAt the refresh token's absolute cap as the provider reported it (Intuit's
 *            {@code x_refresh_token_hard_expires_in}); {@code null} when not reported, which keeps the stored one
 */
public record RefreshedTokens(String accessToken, String refreshToken, Instant accessExpiresAt,
        Duration accessLifetime, Instant refreshExpiresAt, Instant refreshHardExpiresAt) {

    /** Tokens from an answer that reported no hard cap. */
    public RefreshedTokens(String accessToken, String refreshToken, Instant accessExpiresAt, Duration accessLifetime,
            Instant refreshExpiresAt) {
        this(accessToken, refreshToken, accessExpiresAt, accessLifetime, refreshExpiresAt, null);
    }

    /**
     * What to store for a provider's grant. The provider's clock started the tokens' lives somewhere between the
     * request and its answer: assume the earliest moment, {@code requestedAt}, so that we never believe a token lives
     * longer than it does.
     *
     * @param storedRefreshExpiresAt the stored refresh token's expiry, kept when the grant neither rotates the token nor
     *            says how long it lives, or says it in a way that cannot be read
     */
    public static RefreshedTokens of(TokenGrant grant, Instant requestedAt, Instant storedRefreshExpiresAt) {
        Duration refreshLifetime = grant.effectiveRefreshTokenLifetime();
        Instant refreshExpiresAt;
        if (!grant.refreshLifetimeKnown()) {
            refreshExpiresAt = storedRefreshExpiresAt;
        } else if (refreshLifetime != null) {
            refreshExpiresAt = requestedAt.plus(refreshLifetime);
        } else {
            refreshExpiresAt = grant.refreshToken() == null ? storedRefreshExpiresAt : null;
        }
        Instant hardExpiresAt = grant.refreshTokenHardLifetime() == null || !grant.refreshLifetimeKnown()
                ? null
                : requestedAt.plus(grant.refreshTokenHardLifetime());
        if (grant.accessToken() == null) {
            return new RefreshedTokens(null, grant.refreshToken(), null, null, refreshExpiresAt, hardExpiresAt);
        }
        return new RefreshedTokens(grant.accessToken(), grant.refreshToken(), requestedAt.plus(grant
                .accessTokenLifetime()), grant.accessTokenLifetime(), refreshExpiresAt, hardExpiresAt);
    }

    /** Whether an access token is stored with this refresh (else the stored one stays). */
    public boolean hasAccessToken() {
        return accessToken != null;
    }

    @Override
    public String toString() {
        return "RefreshedTokens[accessExpiresAt=" + accessExpiresAt + ", refreshExpiresAt=" + refreshExpiresAt
                + ", refreshHardExpiresAt=" + refreshHardExpiresAt + ", rotated=" + (refreshToken != null) + "]";
    }
}
