package dev.tokenrefresher.scheduler.connection;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * A connection to register: the tokens exactly as the provider's token endpoint returned them after the user
 * connected, and when.
 *
 * @param tenantId the host app's id for the tenant; one connection per tenant and provider (registering again is a
 *            reconnect)
 * @param provider a configured provider name, e.g. {@code quickbooks}
 * @param realmId the provider's account id (QuickBooks' {@code realmId}); stored encrypted; optional
 * @param expiresIn the access token's {@code expires_in}, seconds
 * @param refreshTokenExpiresIn the refresh token's lifetime in seconds ({@code x_refresh_token_expires_in} or
 *            {@code refresh_token_expires_in}); 0 or absent for none
 * @param refreshTokenHardExpiresIn Intuit's {@code x_refresh_token_hard_expires_in}; optional
 * @param obtainedAt when the provider issued the tokens; default now. An access token that has expired already is
 *            fine: it is refreshed at once while the refresh token is valid
 */
public record RegisterConnectionRequest(
        @NotBlank @Size(max = 200) String tenantId,
        @NotBlank @Size(max = 64) String provider,
        @Size(max = 200) String realmId,
        @NotBlank @Size(max = 8192) String accessToken,
        @NotBlank @Size(max = 8192) String refreshToken,
        @NotNull @Positive @Max(MAX_LIFETIME_SECONDS) Long expiresIn,
        @PositiveOrZero @Max(MAX_LIFETIME_SECONDS) Long refreshTokenExpiresIn,
        @PositiveOrZero @Max(MAX_LIFETIME_SECONDS) Long refreshTokenHardExpiresIn,
        Instant obtainedAt) {

    /** Ten years: anything longer is a unit mistake (milliseconds), not a token lifetime. */
    static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;

    @Override
    public String toString() {
        return "RegisterConnectionRequest[tenantId=" + tenantId + ", provider=" + provider + ", expiresIn="
                + expiresIn + ", refreshTokenExpiresIn=" + refreshTokenExpiresIn + ", obtainedAt=" + obtainedAt + "]";
    }
}
