package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.TailGroup;
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
 * @param hardExpiredGrants
 *            of the invalid grants, those refused because the chain had passed its hard cap
 * @param refreshTokenExpiresAt
 *            when the current refresh token expires (rolling, never after {@code hardExpiresAt})
 * @param hardExpiresAt
 *            the chain's hard cap ({@code sandbox.refresh-token-hard-lifetime} after authorisation, unless moved with
 *            {@code PUT /sandbox/connections/{realmId}/hard-expires-at})
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
 *            token requests for this connection being answered right now (not a hung one: the tail faults hold it
 *            before the token logic)
 * @param calls
 *            token requests for this connection, whatever their answer (not those an outage, invalid_client or a
 *            random fault answered before the connection was looked up)
 * @param hungCalls
 *            of them, those the tail faults held until their hang ended
 * @param slowCalls
 *            of them, those the tail faults answered slowly
 * @param tailGroup
 *            {@code hang}, {@code slow} or {@code other}: the share of the connections the tail faults put it in
 */
record ConnectionReport(String realmId, long refreshes, long overlappingRefreshes, long invalidGrants,
        long refreshesAfterAccessExpiry, long hardExpiredGrants, boolean revoked, Instant accessTokenExpiresAt,
        Instant refreshTokenExpiresAt, Instant hardExpiresAt, String currentRefreshTokenSha256, long reuseGraceSeconds,
        long graceReuses, long answerDelayMillis,
        int inFlight, long calls, long hungCalls, long slowCalls, TailGroup tailGroup) {
}
