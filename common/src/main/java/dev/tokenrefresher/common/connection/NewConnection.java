package dev.tokenrefresher.common.connection;

import java.time.Duration;
import java.time.Instant;

/**
 * A connection to register, with the tokens the provider issued for it.
 *
 * @param realmId the provider's id of the connected account (QuickBooks' realm id); may be {@code null}
 * @param accessLifetime how long the access token was issued for (the provider's {@code expires_in})
 * @param refreshExpiresAt when the refresh token expires; {@code null} when the provider did not say
 * @param nextRefreshAt when the first refresh is due
 * @param refreshHardExpiresAt the refresh token's absolute cap (Intuit's 5 years), which rotation does not move;
 *            {@code null} when the provider did not say
 */
public record NewConnection(
        String tenantId,
        String provider,
        String realmId,
        String accessToken,
        String refreshToken,
        Instant accessExpiresAt,
        Duration accessLifetime,
        Instant refreshExpiresAt,
        Instant nextRefreshAt,
        Instant refreshHardExpiresAt) {

    /** A connection whose provider names no hard cap. */
    public NewConnection(String tenantId, String provider, String realmId, String accessToken, String refreshToken,
            Instant accessExpiresAt, Duration accessLifetime, Instant refreshExpiresAt, Instant nextRefreshAt) {
        this(tenantId, provider, realmId, accessToken, refreshToken, accessExpiresAt, accessLifetime,
                refreshExpiresAt, nextRefreshAt, null);
    }

    @Override
    public String toString() {
        return "NewConnection[tenantId=" + tenantId + ", provider=" + provider + ", accessExpiresAt=" + accessExpiresAt
                + ", refreshExpiresAt=" + refreshExpiresAt + ", nextRefreshAt=" + nextRefreshAt
                + ", refreshHardExpiresAt=" + refreshHardExpiresAt + "]";
    }
}
