package dev.tokenrefresher.sandbox.authorize;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which redirect URIs a client may name (RFC 6749 section 3.1.2), and the redirects to them. Redirect query values are
 * form-urlencoded (RFC 6749 appendix B).
 */
final class RedirectUris {

    /** Without configured URIs, any port and path on these hosts: the tests' clients listen on random ports. */
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final List<String> registered;

    RedirectUris(List<String> registered) {
        this.registered = List.copyOf(registered);
    }

    boolean allows(String uri) {
        if (!isAbsoluteHttpWithoutFragment(uri)) {
            return false;
        }
        if (!registered.isEmpty()) {
            // simple string comparison, RFC 6749 section 3.1.2.3 with RFC 3986 section 6.2.1
            return registered.contains(uri);
        }
        String host = URI.create(uri).getHost();
        return host != null && LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT))
                && URI.create(uri).getRawUserInfo() == null;
    }

    static boolean isAbsoluteHttpWithoutFragment(String uri) {
        if (uri == null) {
            return false;
        }
        try {
            URI parsed = new URI(uri);
            String scheme = parsed.getScheme();
            return parsed.isAbsolute() && parsed.getRawFragment() == null && parsed.getHost() != null
                    && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** {@code redirectUri} with {@code parameters} added to its query, in order; null values are left out. */
    static String with(String redirectUri, Map<String, String> parameters) {
        String query = parameters.entrySet()
                .stream()
                .filter(parameter -> parameter.getValue() != null)
                .map(parameter -> encode(parameter.getKey()) + "=" + encode(parameter.getValue()))
                .collect(Collectors.joining("&"));
        return redirectUri + (URI.create(redirectUri).getRawQuery() == null ? "?" : "&") + query;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
