package dev.tokenrefresher.common.provider;

import java.time.Duration;
import java.util.List;

/**
 * Tokens a provider issued in answer to a refresh.
 *
 * @param accessToken the new access token; {@code null} when the answer carried a refresh token but no usable access
 *            token (keep the stored one and refresh again soon)
 * @param refreshToken the new refresh token; {@code null} when the response had none (keep the stored one)
 * @param accessTokenLifetime how long the access token lives; a short safe default when the answer's
 *            {@code expires_in} was unusable
 * @param refreshTokenLifetime from {@code x_refresh_token_expires_in}, {@code refresh_token_expires_in} or
 *            {@code refresh_expires_in}; {@code null} when absent or 0 (no expiry)
 * @param refreshTokenHardLifetime Intuit's 5-year cap ({@code x_refresh_token_hard_expires_in}); {@code null} when
 *            absent
 * @param oddities the fields of the answer that were odd and replaced by safe defaults (e.g. {@code expires_in},
 *            {@code access_token}, {@code x_refresh_token_expires_in}, {@code body_size}); empty for a regular answer
 */
public record TokenGrant(
        String accessToken,
        String refreshToken,
        Duration accessTokenLifetime,
        Duration refreshTokenLifetime,
        Duration refreshTokenHardLifetime,
        List<String> oddities) {

    public TokenGrant {
        oddities = oddities == null ? List.of() : List.copyOf(oddities);
    }

    /** A regular answer, nothing odd in it. */
    public TokenGrant(String accessToken, String refreshToken, Duration accessTokenLifetime,
            Duration refreshTokenLifetime, Duration refreshTokenHardLifetime) {
        this(accessToken, refreshToken, accessTokenLifetime, refreshTokenLifetime, refreshTokenHardLifetime, List
                .of());
    }

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

    /** Whether the answer said how long the refresh token lives in a usable way (or plainly said nothing). */
    public boolean refreshLifetimeKnown() {
        return oddities.stream().noneMatch(field -> TokenResponseParser.REFRESH_LIFETIME_FIELDS.contains(field)
                || field.equals(TokenResponseParser.HARD_LIFETIME_FIELD));
    }

    /**
     * The oddities as a refresh attempt records them in its error code, e.g. {@code odd:expires_in,access_token} (at
     * most 64 characters, the column's width); {@code null} for a regular answer.
     */
    public String oddityCode() {
        if (oddities.isEmpty()) {
            return null;
        }
        String code = "odd:" + String.join(",", oddities);
        return code.length() <= 64 ? code : code.substring(0, 64);
    }

    @Override
    public String toString() {
        return "TokenGrant[accessTokenLifetime=" + accessTokenLifetime + ", rotated=" + (refreshToken != null)
                + ", refreshTokenLifetime=" + refreshTokenLifetime + ", oddities=" + oddities + "]";
    }
}
