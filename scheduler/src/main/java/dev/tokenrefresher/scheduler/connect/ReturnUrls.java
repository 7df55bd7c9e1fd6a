package dev.tokenrefresher.scheduler.connect;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The allow-list of return URLs ({@code refresher.connect.allowed-return-urls}). A return URL is allowed when it is an
 * absolute http(s) URL without user info or fragment, and an allowed entry has its scheme, host and port and a path
 * that is its path or a parent of it at a {@code /}: {@code https://app.example.com/oauth} allows
 * {@code https://app.example.com/oauth/done?x=1}, not {@code https://app.example.com/oauthx} nor
 * {@code https://app.example.com.evil.test/oauth}.
 */
final class ReturnUrls {

    private final List<URI> allowed;

    ReturnUrls(List<URI> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * @return why {@code returnUrl} is refused, or empty when it is allowed
     */
    Optional<String> refusal(String returnUrl) {
        URI uri;
        try {
            uri = new URI(returnUrl);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        if (!uri.isAbsolute() || !isHttp(uri) || uri.getHost() == null) {
            return Optional.of("must be an absolute http(s) URL");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return Optional.of("must not carry user info or a fragment");
        }
        if (allowed.isEmpty()) {
            return Optional.of("is not allowed: refresher.connect.allowed-return-urls is empty");
        }
        if (allowed.stream().noneMatch(entry -> covers(entry, uri))) {
            return Optional.of("is not under any of refresher.connect.allowed-return-urls");
        }
        return Optional.empty();
    }

    private static boolean covers(URI entry, URI uri) {
        if (!entry.getScheme().equalsIgnoreCase(uri.getScheme())
                || !entry.getHost().toLowerCase(Locale.ROOT).equals(uri.getHost().toLowerCase(Locale.ROOT))
                || port(entry) != port(uri)) {
            return false;
        }
        String base = entry.getRawPath() == null || entry.getRawPath().isEmpty() ? "/" : entry.getRawPath();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        // a dot segment, also percent-encoded (/oauth/%2e%2e/admin, /oauth%2f..%2fadmin): a browser or the host app's
        // server resolves it, and the user lands outside the allowed path
        if (hasDotSegment(path) || hasDotSegment(uri.getPath())) {
            return false;
        }
        if (base.endsWith("/")) {
            return path.startsWith(base);
        }
        return path.equals(base) || path.startsWith(base + "/");
    }

    private static boolean hasDotSegment(String path) {
        if (path == null) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static boolean isHttp(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    }
}
