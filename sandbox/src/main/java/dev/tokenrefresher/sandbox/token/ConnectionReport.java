package dev.tokenrefresher.sandbox.token;

import java.time.Instant;

/**
 * What the control API tells about one connection. It carries a hash of the current refresh token, so a test can check
 * which token its client stores, but never a token itself.
 *
 * @param refreshes
 *            successful refreshes
 * @param overlappingRefreshes
 *            token requests that arrived while another for this connection was still in flight
 * @param invalidGrants
 *            refreshes refused because the token was rotated away, revoked or expired
 * @param refreshesAfterAccessExpiry
 *            successful refreshes made when the current access token had already expired
 * @param currentRefreshTokenSha256
 *            lowercase hex SHA-256 of the current refresh token's UTF-8 bytes
 * @param reuseGraceSeconds
 *            how long a refresh token the chain rotated away stays usable (the connection's own grace, or the run-time
 *            default); 0 = strict rotation
 * @param graceReuses
 *            refreshes granted to a replaced refresh token within its grace
 * @param answerDelayMillis
 *            how long a granted refresh's answer is held after the rotation (the connection's own delay, or the
 *            run-time default)
 * @param inFlight
 *            token requests for this connection being answered right now
 */
record ConnectionReport(String realmId, long refreshes, long overlappingRefreshes, long invalidGrants,
        long refreshesAfterAccessExpiry, boolean revoked, Instant accessTokenExpiresAt,
        String currentRefreshTokenSha256, long reuseGraceSeconds, long graceReuses, long answerDelayMillis,
        int inFlight) {
}
