package dev.tokenrefresher.common.provider;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/** Built-in starting points for well-known providers. */
enum ProviderPreset {

    /**
     * Intuit QuickBooks Online: Basic client authentication, refresh-token expiry in {@code x_refresh_token_expires_in},
     * and the opt-in header that returns the 5-year hard expiry.
     */
    QUICKBOOKS("quickbooks", URI.create("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"),
            ClientAuthentication.CLIENT_SECRET_BASIC, Map.of("x-include-refresh-token-hard-expires-in", "true"),
            URI.create("https://developer.api.intuit.com/v2/oauth2/tokens/revoke"), RevocationFormat.JSON);

    final String id;
    final URI tokenUri;
    final ClientAuthentication clientAuthentication;
    final Map<String, String> requestHeaders;
    final URI revocationUri;
    final RevocationFormat revocationFormat;

    ProviderPreset(String id, URI tokenUri, ClientAuthentication clientAuthentication,
            Map<String, String> requestHeaders, URI revocationUri, RevocationFormat revocationFormat) {
        this.id = id;
        this.tokenUri = tokenUri;
        this.clientAuthentication = clientAuthentication;
        this.requestHeaders = requestHeaders;
        this.revocationUri = revocationUri;
        this.revocationFormat = revocationFormat;
    }

    static Optional<ProviderPreset> byId(String id) {
        return Arrays.stream(values()).filter(preset -> preset.id.equals(id)).findFirst();
    }
}
