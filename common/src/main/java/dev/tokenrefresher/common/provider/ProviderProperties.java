package dev.tokenrefresher.common.provider;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * One provider's settings as configured under {@code refresher.providers.<name>}; unset values come from the preset and
 * then from the defaults in {@link ProviderSettings}.
 *
 * @param preset a built-in preset to start from ({@code quickbooks}); a provider named like a preset uses it unless
 *            another is given
 * @param tokenUri the token endpoint
 * @param clientId the OAuth2 client id
 * @param clientSecret the OAuth2 client secret; set it from the environment, e.g.
 *            {@code REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTSECRET}
 * @param clientAuthentication {@code client_secret_basic} or {@code client_secret_post}
 * @param refreshLeadTime how long before the access token expires its refresh is due (default 10 minutes)
 * @param concurrency parallel refreshes per worker instance for this provider (default 8)
 * @param requestTimeout the whole token request's time limit (default 10 s); must be shorter than the worker's lease
 * @param defaultAccessTokenLifetime assumed when a response has no {@code expires_in} (default 1 hour)
 * @param requestHeaders extra headers for every token request (QuickBooks' preset asks for the 5-year hard expiry)
 * @param revocationUri the token revocation endpoint (RFC 7009), used when a disconnect asks for a revocation;
 *            QuickBooks' preset sets Intuit's; without one, a revocation is reported as not supported
 * @param revocationFormat how the revocation request carries the token: {@code form} (RFC 7009, the default) or
 *            {@code json} (Intuit's {@code {"token": ...}}; QuickBooks' preset)
 * @param timeoutQuietPeriod how long after a token request that timed out (or one a gateway answered 504) the provider
 *            may still serve it: no call with the same refresh token goes out before this has passed since our side
 *            closed the connection (default {@link ProviderSettings#DEFAULT_TIMEOUT_QUIET_PERIOD}, 30 s; 0 = none)
 * @param authorizationUri the authorization endpoint a connect session sends the user to (OAuth2 authorization-code
 *            flow); QuickBooks' preset sets Intuit's. Without one, no connect session can be made for the provider
 * @param scopes the scopes a connect session asks for when it names none; QuickBooks' preset asks for
 *            {@code com.intuit.quickbooks.accounting}
 * @param redirectUri the callback registered at the provider; default {@code refresher.connect.public-base-url} +
 *            {@code /connect/callback}
 * @param pkce whether connect sessions use PKCE (S256); default true (RFC 9700 recommends it for every client),
 *            false in QuickBooks' preset (Intuit does not document PKCE)
 */
public record ProviderProperties(
        String preset,
        URI tokenUri,
        String clientId,
        String clientSecret,
        ClientAuthentication clientAuthentication,
        Duration refreshLeadTime,
        Integer concurrency,
        Duration requestTimeout,
        Duration defaultAccessTokenLifetime,
        Map<String, String> requestHeaders,
        URI revocationUri,
        RevocationFormat revocationFormat,
        Duration timeoutQuietPeriod,
        URI authorizationUri,
        List<String> scopes,
        URI redirectUri,
        Boolean pkce) {

    @ConstructorBinding
    public ProviderProperties {
    }

    /** Settings for refreshes only: no connect sessions. */
    public ProviderProperties(String preset, URI tokenUri, String clientId, String clientSecret,
            ClientAuthentication clientAuthentication, Duration refreshLeadTime, Integer concurrency,
            Duration requestTimeout, Duration defaultAccessTokenLifetime, Map<String, String> requestHeaders,
            URI revocationUri, RevocationFormat revocationFormat, Duration timeoutQuietPeriod) {
        this(preset, tokenUri, clientId, clientSecret, clientAuthentication, refreshLeadTime, concurrency,
                requestTimeout, defaultAccessTokenLifetime, requestHeaders, revocationUri, revocationFormat,
                timeoutQuietPeriod, null, null, null, null);
    }

    @Override
    public String toString() {
        return "ProviderProperties[preset=" + preset + ", tokenUri=" + tokenUri + ", clientId=" + clientId + "]";
    }
}
