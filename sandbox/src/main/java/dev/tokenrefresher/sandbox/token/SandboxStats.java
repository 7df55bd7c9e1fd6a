package dev.tokenrefresher.sandbox.token;

/**
 * Totals over all connections since start or the last reset.
 *
 * @param requests
 *            token endpoint requests of any outcome
 * @param invalidGrants
 *            all invalid_grant answers, including {@code unknownTokenGrants}
 * @param unknownTokenGrants
 *            invalid_grant answers for tokens the sandbox never issued (or forgot in a reset)
 * @param inFlight
 *            token requests being answered right now
 */
record SandboxStats(int connections, long requests, long refreshes, long overlappingRefreshes, long invalidGrants,
        long unknownTokenGrants, long refreshesAfterAccessExpiry, long invalidClientAnswers, int inFlight) {
}
