package dev.tokenrefresher.common.connection;

import java.time.Instant;

/**
 * What a successful refresh stores.
 *
 * @param refreshToken the new refresh token; {@code null} when the provider returned none, which keeps the stored one
 * @param refreshExpiresAt the refresh token's new expiry; {@code null} when unknown, which keeps the stored one
 */
public record RefreshedTokens(String accessToken, String refreshToken, Instant accessExpiresAt,
        Instant refreshExpiresAt) {

    @Override
    public String toString() {
        return "RefreshedTokens[accessExpiresAt=" + accessExpiresAt + ", refreshExpiresAt=" + refreshExpiresAt
                + ", rotated=" + (refreshToken != null) + "]";
    }
}
