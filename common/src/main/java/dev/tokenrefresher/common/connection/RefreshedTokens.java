package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.provider.TokenGrant;
import java.time.Duration;
import java.time.Instant;

/**
 * What a successful refresh stores.
 *
 * @param refreshToken the new refresh token; {@code null} when the provider returned none, which keeps the stored one
 * @param accessLifetime how long the access token was issued for
 * @param refreshExpiresAt the refresh token's new expiry; {@code null} when unknown, which keeps the stored one
 */
public record RefreshedTokens(String accessToken, String refreshToken, Instant accessExpiresAt,
        Duration accessLifetime, Instant refreshExpiresAt) {

    /**
     * What to store for a provider's grant. The provider's clock started the tokens' lives somewhere between the
     * request and its answer: assume the earliest moment, {@code requestedAt}, so that we never believe a token lives
     * longer than it does.
     *
     * @param storedRefreshExpiresAt the stored refresh token's expiry, kept when the grant neither rotates the token nor
     *            says how long it lives
     */
    public static RefreshedTokens of(TokenGrant grant, Instant requestedAt, Instant storedRefreshExpiresAt) {
        Duration refreshLifetime = grant.effectiveRefreshTokenLifetime();
        Instant refreshExpiresAt = refreshLifetime != null
                ? requestedAt.plus(refreshLifetime)
                : grant.refreshToken() == null ? storedRefreshExpiresAt : null;
        return new RefreshedTokens(grant.accessToken(), grant.refreshToken(), requestedAt.plus(grant
                .accessTokenLifetime()), grant.accessTokenLifetime(), refreshExpiresAt);
    }

    @Override
    public String toString() {
        return "RefreshedTokens[accessExpiresAt=" + accessExpiresAt + ", refreshExpiresAt=" + refreshExpiresAt
                + ", rotated=" + (refreshToken != null) + "]";
    }
}
