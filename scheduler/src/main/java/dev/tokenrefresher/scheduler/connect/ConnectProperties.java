package dev.tokenrefresher.scheduler.connect;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Connect sessions ({@code refresher.connect.*}): the OAuth2 authorization-code flow the scheduler runs for a host app
 * (docs/operations.md, "Connecting a tenant").
 *
 * @param publicBaseUrl where browsers reach this scheduler (default {@value #DEFAULT_PUBLIC_BASE_URL}): connect links
 *            are {@code <public-base-url>/connect/<secret>}, and a provider's default redirect URI is
 *            {@code <public-base-url>/connect/callback}
 * @param allowedReturnUrls where a session may send the user back to: a return URL must have the scheme, host and
 *            port of one of these and a path under its path. Empty (the default) allows none, so no session can be
 *            made until it is configured: a session must never become an open redirect
 * @param sessionLifetime how long a connect link and the authorization it starts stay valid (default 10 minutes)
 * @param retention how long finished and expired sessions are kept for inspection before they are deleted (default 7
 *            days)
 */
@ConfigurationProperties("refresher.connect")
public record ConnectProperties(URI publicBaseUrl, List<URI> allowedReturnUrls, Duration sessionLifetime,
        Duration retention) {

    public static final String DEFAULT_PUBLIC_BASE_URL = "http://localhost:8080";
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    /** The callback's path under {@code public-base-url}. */
    public static final String CALLBACK_PATH = "/connect/callback";

    public ConnectProperties {
        publicBaseUrl = publicBaseUrl == null ? URI.create(DEFAULT_PUBLIC_BASE_URL) : publicBaseUrl;
        allowedReturnUrls = allowedReturnUrls == null ? List.of() : List.copyOf(allowedReturnUrls);
        sessionLifetime = sessionLifetime == null ? DEFAULT_SESSION_LIFETIME : sessionLifetime;
        retention = retention == null ? DEFAULT_RETENTION : retention;
        if (!"http".equals(publicBaseUrl.getScheme()) && !"https".equals(publicBaseUrl.getScheme())
                || publicBaseUrl.getHost() == null) {
            throw new IllegalArgumentException("refresher.connect.public-base-url must be an absolute http(s) URL, was "
                    + publicBaseUrl);
        }
        if (!sessionLifetime.isPositive() || sessionLifetime.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("refresher.connect.session-lifetime must be more than 0 and at most 1 "
                    + "hour, was " + sessionLifetime);
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("refresher.connect.retention must not be negative, was " + retention);
        }
    }

    /** The callback the scheduler serves, which a provider without its own {@code redirect-uri} sends users to. */
    public URI defaultRedirectUri() {
        String base = publicBaseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK_PATH);
    }

    /** The link a user opens to start a session. */
    URI connectLink(String secret) {
        String base = publicBaseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/connect/" + secret);
    }
}
