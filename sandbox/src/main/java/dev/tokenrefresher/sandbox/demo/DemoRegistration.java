package dev.tokenrefresher.sandbox.demo;

import dev.tokenrefresher.sandbox.token.MintedConnection;

/**
 * The body the scheduler's {@code POST /api/connections} takes: a host app sends the same after a user connected.
 *
 * @param expiresIn
 *            the access token's lifetime in seconds, as minted
 * @param refreshTokenExpiresIn
 *            the refresh token's rolling lifetime in seconds ({@code x_refresh_token_expires_in})
 * @param obtainedAt
 *            the minting instant as ISO-8601 text; text rather than an {@code Instant} so no mapper setting can turn
 *            it into a number
 */
record DemoRegistration(String tenantId, String provider, String realmId, String accessToken, String refreshToken,
        long expiresIn, long refreshTokenExpiresIn, String obtainedAt) {

    static DemoRegistration of(String tenantId, String provider, MintedConnection minted) {
        return new DemoRegistration(tenantId, provider, minted.realmId(), minted.accessToken(), minted.refreshToken(),
                minted.expiresIn(), minted.xRefreshTokenExpiresIn(), minted.issuedAt().toString());
    }

    @Override
    public String toString() {
        return "DemoRegistration[tenantId=" + tenantId + ", realmId=" + realmId + "]";
    }
}
