package dev.tokenrefresher.scheduler.connection;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A connection to register: the tokens the provider's token endpoint returned after the user connected, and when.
 *
 * <p>The tokens come either as {@code tokenResponse}, the provider's answer exactly as it came (snake_case fields, read
 * like a refresh's answer), or as the separate fields {@code accessToken}, {@code refreshToken}, {@code expiresIn}
 * and the optional lifetimes; not both.
 *
 * @param tenantId the host app's id for the tenant; one connection per tenant and provider (registering again is a
 *            reconnect)
 * @param provider a configured provider name, e.g. {@code quickbooks}
 * @param realmId the provider's account id (QuickBooks' {@code realmId}, from the redirect, not the token response);
 *            stored encrypted; optional
 * @param tokenResponse the token endpoint's JSON answer as it came: {@code access_token}, {@code refresh_token},
 *            {@code expires_in} (absent: the provider's {@code default-access-token-lifetime}), and the refresh
 *            token's lifetime as {@code x_refresh_token_expires_in}, {@code refresh_token_expires_in} or
 *            {@code refresh_expires_in} (0 or absent: no expiry) and {@code x_refresh_token_hard_expires_in}
 * @param accessToken the access token, when {@code tokenResponse} is not given
 * @param refreshToken the refresh token, when {@code tokenResponse} is not given
 * @param expiresIn the access token's {@code expires_in}, seconds, when {@code tokenResponse} is not given
 * @param refreshTokenExpiresIn the refresh token's lifetime in seconds ({@code x_refresh_token_expires_in} or
 *            {@code refresh_token_expires_in}); 0 or absent for none
 * @param refreshTokenHardExpiresIn Intuit's {@code x_refresh_token_hard_expires_in}; 0 or absent for none
 * @param obtainedAt when the provider issued the tokens; default now. An access token that has expired already is
 *            fine: it is refreshed at once while the refresh token is valid
 */
public record RegisterConnectionRequest(
        @NotBlank @Size(max = 200) String tenantId,
        @NotBlank @Size(max = 64) String provider,
        @Size(max = 200) String realmId,
        JsonNode tokenResponse,
        @Size(max = MAX_TOKEN_LENGTH) String accessToken,
        @Size(max = MAX_TOKEN_LENGTH) String refreshToken,
        @Positive @Max(MAX_LIFETIME_SECONDS) Long expiresIn,
        @PositiveOrZero @Max(MAX_LIFETIME_SECONDS) Long refreshTokenExpiresIn,
        @PositiveOrZero @Max(MAX_LIFETIME_SECONDS) Long refreshTokenHardExpiresIn,
        Instant obtainedAt) {

    /** Ten years: anything longer is a unit mistake (milliseconds), not a token lifetime. */
    static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;
    /** Longer than any token we know of (JWTs with many claims run to a few kilobytes). */
    static final int MAX_TOKEN_LENGTH = 8192;

    @Override
    public String toString() {
        return "RegisterConnectionRequest[tenantId=" + tenantId + ", provider=" + provider + ", tokenResponse="
                + (tokenResponse != null ? "given" : "absent") + ", expiresIn=" + expiresIn
                + ", refreshTokenExpiresIn=" + refreshTokenExpiresIn + ", obtainedAt=" + obtainedAt + "]";
    }
}
