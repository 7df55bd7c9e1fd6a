package dev.tokenrefresher.common.provider;

import java.time.Duration;

/**
 * Tokens a provider issued in answer to a refresh.
 *
 * @param refreshToken the new refresh token; {@code null} when the response had none (keep the stored one)
 * @param refreshTokenLifetime from {@code x_refresh_token_expires_in}, {@code refresh_token_expires_in} or
 *            {@code refresh_expires_in}; {@code null} when absent or 0 (no expiry)
 * @param refreshTokenHardLifetime Intuit's 5-year cap ({@code x_refresh_token_hard_expires_in}); {@code null} when absent
 */
public record TokenGrant(
        String accessToken,
        String refreshToken,
        Duration accessTokenLifetime,
        Duration refreshTokenLifetime,
        Duration refreshTokenHardLifetime) {

    /** How long the refresh token lives: the rolling lifetime, capped by the hard one; {@code null} if unbounded. */
    public Duration effectiveRefreshTokenLifetime() {
        if (refreshTokenLifetime == null) {
            return refreshTokenHardLifetime;
        }
        if (refreshTokenHardLifetime == null) {
            return refreshTokenLifetime;
        }
        return refreshTokenLifetime.compareTo(refreshTokenHardLifetime) <= 0
                ? refreshTokenLifetime
                : refreshTokenHardLifetime;
    }

    @Override
    public String toString() {
        return "TokenGrant[accessTokenLifetime=" + accessTokenLifetime + ", rotated=" + (refreshToken != null)
                + ", refreshTokenLifetime=" + refreshTokenLifetime + "]";
    }
}
