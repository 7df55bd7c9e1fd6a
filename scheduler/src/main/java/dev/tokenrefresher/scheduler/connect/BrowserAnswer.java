package dev.tokenrefresher.scheduler.connect;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What the browser endpoints of a connect session answer: a redirect, or a page that explains. */
sealed interface BrowserAnswer {

    /** A 302 to {@code location}. */
    record Redirect(URI location) implements BrowserAnswer {
    }

    /** A page with a status, for what cannot be sent back to a return URL (no session is known). */
    record Page(int status, String title, String message) implements BrowserAnswer {
    }

    /** The return URL with {@code parameters} added to its query, in order, URL-encoded. */
    static Redirect back(String returnUrl, Map<String, String> parameters) {
        StringBuilder url = new StringBuilder(returnUrl);
        boolean first = URI.create(returnUrl).getRawQuery() == null;
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            if (parameter.getValue() == null) {
                continue;
            }
            url.append(first ? '?' : '&').append(encode(parameter.getKey())).append('=').append(encode(parameter
                    .getValue()));
            first = false;
        }
        return new Redirect(URI.create(url.toString()));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
