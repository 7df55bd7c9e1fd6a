package dev.tokenrefresher.common.provider;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Built-in starting points for well-known providers. */
enum ProviderPreset {

    /**
     * Intuit QuickBooks Online: Basic client authentication, refresh-token expiry in {@code x_refresh_token_expires_in},
     * the opt-in header that returns the 5-year hard expiry, and Intuit's authorization endpoint with the accounting
     * scope. No PKCE: Intuit documents none for its (confidential) web apps.
     */
    QUICKBOOKS("quickbooks", URI.create("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"),
            ClientAuthentication.CLIENT_SECRET_BASIC, Map.of("x-include-refresh-token-hard-expires-in", "true"),
            URI.create("https://developer.api.intuit.com/v2/oauth2/tokens/revoke"), RevocationFormat.JSON,
            URI.create("https://appcenter.intuit.com/connect/oauth2"), List.of("com.intuit.quickbooks.accounting"),
            false);

    final String id;
    final URI tokenUri;
    final ClientAuthentication clientAuthentication;
    final Map<String, String> requestHeaders;
    final URI revocationUri;
    final RevocationFormat revocationFormat;
    final URI authorizationUri;
    final List<String> scopes;
    final boolean pkce;

    ProviderPreset(String id, URI tokenUri, ClientAuthentication clientAuthentication,
            Map<String, String> requestHeaders, URI revocationUri, RevocationFormat revocationFormat,
            URI authorizationUri, List<String> scopes, boolean pkce) {
        this.id = id;
        this.tokenUri = tokenUri;
        this.clientAuthentication = clientAuthentication;
        this.requestHeaders = requestHeaders;
        this.revocationUri = revocationUri;
        this.revocationFormat = revocationFormat;
        this.authorizationUri = authorizationUri;
        this.scopes = scopes;
        this.pkce = pkce;
    }

    static Optional<ProviderPreset> byId(String id) {
        return Arrays.stream(values()).filter(preset -> preset.id.equals(id)).findFirst();
    }
}
