package dev.tokenrefresher.sandbox.authorize;

/** What presenting an authorization code at the token endpoint came to. */
public sealed interface CodeRedemption {

    /** The code was good: the token endpoint creates the connection of {@code realmId} and answers its tokens. */
    record Redeemed(String realmId) implements CodeRedemption {
    }

    /**
     * @param revokeRealmId
     *            the connection whose tokens must be revoked, as RFC 6749 section 4.1.2 asks when a code is used
     *            twice; null when there is none
     */
    record Refused(CodeRefusal reason, String revokeRealmId) implements CodeRedemption {
    }
}
