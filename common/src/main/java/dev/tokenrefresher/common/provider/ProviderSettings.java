package dev.tokenrefresher.common.provider;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A provider's effective settings: configuration over preset over defaults.
 *
 * @see ProviderProperties for the meaning of each value
 */
public record ProviderSettings(
        String name,
        URI tokenUri,
        String clientId,
        String clientSecret,
        ClientAuthentication clientAuthentication,
        Duration refreshLeadTime,
        int concurrency,
        Duration requestTimeout,
        Duration defaultAccessTokenLifetime,
        Map<String, String> requestHeaders,
        URI revocationUri,
        RevocationFormat revocationFormat,
        Duration timeoutQuietPeriod,
        ProviderAuthorization authorization) {

    public static final Duration DEFAULT_REFRESH_LEAD_TIME = Duration.ofMinutes(10);
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofHours(1);
    public static final ClientAuthentication DEFAULT_CLIENT_AUTHENTICATION = ClientAuthentication.CLIENT_SECRET_BASIC;
    public static final RevocationFormat DEFAULT_REVOCATION_FORMAT = RevocationFormat.FORM;
    /**
     * No provider documents how long it goes on serving a request whose client left (Intuit does not). A front end
     * commonly gives the service behind it up to about 30 s before it gives up on a request itself (AWS API Gateway's
     * integration timeout is 29 s, Heroku's router 30 s), so a request still held after that is unlikely to be served.
     * It is also the first delayed retry's default ({@code refresher.worker.retry-initial-delay}): with the defaults a
     * timed-out refresh is retried no later than before the quiet period existed.
     */
    public static final Duration DEFAULT_TIMEOUT_QUIET_PERIOD = Duration.ofSeconds(30);

    /** Settings for refreshes only: no authorization endpoint, so no connect sessions. */
    public ProviderSettings(String name, URI tokenUri, String clientId, String clientSecret,
            ClientAuthentication clientAuthentication, Duration refreshLeadTime, int concurrency,
            Duration requestTimeout, Duration defaultAccessTokenLifetime, Map<String, String> requestHeaders,
            URI revocationUri, RevocationFormat revocationFormat, Duration timeoutQuietPeriod) {
        this(name, tokenUri, clientId, clientSecret, clientAuthentication, refreshLeadTime, concurrency,
                requestTimeout, defaultAccessTokenLifetime, requestHeaders, revocationUri, revocationFormat,
                timeoutQuietPeriod, ProviderAuthorization.NONE);
    }

    /**
     * When a token issued at {@code issuedAt} is due for refresh: the lead time before its expiry, or, when the lead
     * time is not shorter than the token's whole life, half its life (refreshing at once would loop, and half the life
     * still leaves room for retries).
     */
    public Instant refreshDueAt(Instant issuedAt, Duration accessTokenLifetime) {
        if (refreshLeadTime.compareTo(accessTokenLifetime) >= 0) {
            return issuedAt.plus(accessTokenLifetime.dividedBy(2));
        }
        return issuedAt.plus(accessTokenLifetime).minus(refreshLeadTime);
    }

    @Override
    public String toString() {
        return "ProviderSettings[name=" + name + ", tokenUri=" + tokenUri + ", clientId=" + clientId
                + ", clientAuthentication=" + clientAuthentication + ", refreshLeadTime=" + refreshLeadTime
                + ", concurrency=" + concurrency + ", requestTimeout=" + requestTimeout + ", timeoutQuietPeriod="
                + timeoutQuietPeriod + ", authorization=" + authorization + "]";
    }
}
