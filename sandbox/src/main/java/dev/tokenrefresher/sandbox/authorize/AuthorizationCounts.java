package dev.tokenrefresher.sandbox.authorize;

/**
 * The authorization-code flow's counters, since start or the last reset.
 *
 * @param approved
 *            consent pages approved: codes issued
 * @param denied
 *            consent pages denied
 * @param codesExchanged
 *            codes exchanged for tokens at the token endpoint
 * @param codesReused
 *            presentations of a code that had been presented before (the connection its first use created is
 *            revoked)
 * @param codesExpired
 *            codes presented after their lifetime
 * @param pkceFailures
 *            exchanges refused for PKCE: verifier missing, wrong, or sent without a challenge
 */
public record AuthorizationCounts(long approved, long denied, long codesExchanged, long codesReused,
        long codesExpired, long pkceFailures) {
}
