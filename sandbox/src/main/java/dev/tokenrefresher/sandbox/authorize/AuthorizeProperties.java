package dev.tokenrefresher.sandbox.authorize;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sandbox's authorization endpoint ({@code GET /connect/oauth2}), bound from {@code sandbox.*} beside
 * {@link dev.tokenrefresher.sandbox.settings.SandboxProperties}. Every property is optional.
 *
 * @param redirectUris
 *            the redirect URIs a client may name, compared as exact strings ({@code sandbox.redirect-uris}); empty or
 *            unset: any {@code http} or {@code https} URI whose host is {@code localhost}, {@code 127.0.0.1} or
 *            {@code [::1]}, on any port and path, since tests listen on random ports
 * @param scopes
 *            scopes accepted besides {@value #ACCOUNTING_SCOPE}, which always is ({@code sandbox.scopes})
 * @param authorizationCodeLifetime
 *            how long an authorization code, and a consent page's pending request, stays usable
 *            ({@code sandbox.authorization-code-lifetime}, default 5 minutes like Intuit)
 */
@ConfigurationProperties("sandbox")
public record AuthorizeProperties(List<String> redirectUris, List<String> scopes,
        Duration authorizationCodeLifetime) {

    /** The QuickBooks Online accounting scope, the one token-refresher asks for. */
    public static final String ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";
    public static final Duration DEFAULT_AUTHORIZATION_CODE_LIFETIME = Duration.ofMinutes(5);

    public AuthorizeProperties {
        redirectUris = List.copyOf(Objects.requireNonNullElse(redirectUris, List.of()));
        scopes = List.copyOf(Objects.requireNonNullElse(scopes, List.of()));
        authorizationCodeLifetime = Objects.requireNonNullElse(authorizationCodeLifetime,
                DEFAULT_AUTHORIZATION_CODE_LIFETIME);
        if (!authorizationCodeLifetime.isPositive()) {
            throw new IllegalArgumentException("sandbox.authorization-code-lifetime must be positive, was "
                    + authorizationCodeLifetime);
        }
        for (String uri : redirectUris) {
            if (!RedirectUris.isAbsoluteHttpWithoutFragment(uri)) {
                throw new IllegalArgumentException(
                        "sandbox.redirect-uris must be absolute http(s) URIs without a fragment, was " + uri);
            }
        }
        for (String scope : scopes) {
            if (scope.isBlank() || scope.contains(" ")) {
                throw new IllegalArgumentException("sandbox.scopes must be single words, was '" + scope + "'");
            }
        }
    }

    /** The settings the authorization endpoint runs with when nothing is configured. */
    public static AuthorizeProperties defaults() {
        return new AuthorizeProperties(null, null, null);
    }

}
