package dev.tokenrefresher.common.provider;

import java.net.URI;
import java.util.List;

/**
 * How a user authorizes the app at a provider (the OAuth2 authorization-code flow a connect session runs).
 *
 * @param authorizationUri the authorization endpoint; {@code null}: the provider takes no connect sessions
 * @param scopes the scopes asked for by default, in order
 * @param redirectUri the callback registered at the provider; {@code null}: the scheduler's own
 *            ({@code refresher.connect.public-base-url} + {@code /connect/callback})
 * @param pkce whether the flow uses PKCE with S256
 */
public record ProviderAuthorization(URI authorizationUri, List<String> scopes, URI redirectUri, boolean pkce) {

    /** No authorization endpoint configured. */
    public static final ProviderAuthorization NONE = new ProviderAuthorization(null, List.of(), null, true);

    public ProviderAuthorization {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    /** Whether connect sessions can be made for the provider. */
    public boolean configured() {
        return authorizationUri != null;
    }
}
