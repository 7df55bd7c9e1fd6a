package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.authorize.AuthorizationCounts;
import java.util.SortedMap;

/**
 * Totals over all connections since start or the last reset.
 *
 * @param requests
 *            token endpoint requests of any outcome, faulted ones included
 * @param invalidGrants
 *            all invalid_grant answers, including {@code unknownTokenGrants}
 * @param unknownTokenGrants
 *            invalid_grant answers for tokens the sandbox never issued (or forgot in a reset)
 * @param hardExpiredGrants
 *            of {@code invalidGrants}, refreshes refused because the chain had passed its hard cap
 * @param invalidClientAnswers
 *            401 invalid_client answers to missing or wrong client credentials; injected ones count in
 *            {@code faultsInjected} only
 * @param inFlight
 *            token requests being answered right now
 * @param faultsInjected
 *            token requests answered by an injected fault instead of the token logic, by kind
 * @param faultsAfterRotation
 *            granted refreshes whose answer was lost after the rotation ({@code /sandbox/faults/after-rotation}), by
 *            kind
 * @param requestsByStatus
 *            token requests answered, by HTTP status, in ascending order; a request counts once it is answered, so a
 *            hanging one shows up when its hang ends
 * @param authorizations
 *            the authorization-code flow: consents approved and denied, codes exchanged, reused, expired, PKCE failures
 */
record SandboxStats(int connections, long requests, long refreshes, long overlappingRefreshes, long invalidGrants,
        long unknownTokenGrants, long hardExpiredGrants, long refreshesAfterAccessExpiry, long invalidClientAnswers,
        int inFlight,
        FaultCounts faultsInjected, AfterRotationCounts faultsAfterRotation,
        SortedMap<Integer, Long> requestsByStatus, AuthorizationCounts authorizations) {
}
