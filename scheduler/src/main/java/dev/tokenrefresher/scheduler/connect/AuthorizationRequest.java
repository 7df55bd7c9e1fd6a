package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.common.provider.ProviderSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The authorization request (RFC 6749 section 4.1.1) a connect link redirects the user's browser to: the provider's
 * authorization endpoint with {@code response_type=code}, the client id, the redirect URI, the scopes, the state, and
 * PKCE's challenge where the provider uses it.
 */
final class AuthorizationRequest {

    private AuthorizationRequest() {
    }

    /**
     * @param codeChallenge the PKCE challenge, or {@code null} for a provider without PKCE
     */
    static URI uri(ProviderSettings provider, URI redirectUri, List<String> scopes, String state,
            String codeChallenge) {
        URI endpoint = provider.authorization().authorizationUri();
        StringBuilder query = new StringBuilder();
        append(query, "response_type", "code");
        append(query, "client_id", provider.clientId());
        append(query, "redirect_uri", redirectUri.toString());
        append(query, "scope", String.join(" ", scopes));
        append(query, "state", state);
        if (codeChallenge != null) {
            append(query, "code_challenge", codeChallenge);
            append(query, "code_challenge_method", Pkce.METHOD);
        }
        String base = endpoint.toString();
        // an endpoint may carry a query of its own (RFC 6749 section 3.1 keeps it); a fragment it may not have
        String separator = endpoint.getRawQuery() == null ? "?" : "&";
        return URI.create(base + separator + query);
    }

    private static void append(StringBuilder query, String name, String value) {
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
