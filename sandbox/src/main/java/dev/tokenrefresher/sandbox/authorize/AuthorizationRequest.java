package dev.tokenrefresher.sandbox.authorize;

import java.util.List;

/**
 * A validated authorization request, held while the consent page waits for a decision and then with its code.
 *
 * @param codeChallenge
 *            the S256 PKCE challenge; null when the client sent none
 */
record AuthorizationRequest(String clientId, String redirectUri, List<String> scopes, String state,
        String codeChallenge) {

    AuthorizationRequest {
        scopes = List.copyOf(scopes);
    }

    @Override
    public String toString() {
        return "AuthorizationRequest[clientId=" + clientId + ", scopes=" + scopes + ", pkce=" + (codeChallenge != null)
                + "]";
    }
}
