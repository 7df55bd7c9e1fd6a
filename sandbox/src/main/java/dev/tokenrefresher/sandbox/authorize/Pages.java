package dev.tokenrefresher.sandbox.authorize;

import java.util.stream.Collectors;

/**
 * The authorization endpoint's HTML, server-rendered: no script, no external asset. Every value that came with a request
 * is escaped before it goes into the page.
 */
final class Pages {

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f8;color:#1d2330}
            main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;\
            box-shadow:0 1px 4px rgba(0,0,0,.15)}
            h1{font-size:1.3rem;margin-top:0}
            label{display:block;margin:1rem 0 .3rem;font-weight:600}
            input[type=text]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
            .buttons{margin-top:1.5rem;display:flex;gap:1rem}
            button{padding:.6rem 1.4rem;font-size:1rem;border-radius:4px;border:1px solid #888;cursor:pointer}
            #approve{background:#2ca01c;color:#fff;border-color:#2ca01c}
            #deny{background:#fff}
            .note{color:#5c6370;font-size:.85rem;word-break:break-all}
            """;

    private Pages() {
    }

    static String consent(AuthorizationRequest request, String requestId, String defaultCompany) {
        String client = escape(request.clientId());
        String scopes = request.scopes()
                .stream()
                .map(scope -> "<li class=\"scope\">" + escape(scope) + "</li>")
                .collect(Collectors.joining("\n"));
        String body = """
                <h1>Authorize <span id="client-id">%s</span></h1>
                <p>The application <strong>%s</strong> asks to connect to your QuickBooks company at the sandbox
                provider, with these permissions:</p>
                <ul id="scopes">
                %s
                </ul>
                <form id="consent" method="post" action="%s">
                <input type="hidden" name="request" value="%s">
                <label for="company">Company</label>
                <input type="text" id="company" name="company" value="%s" maxlength="%d">
                <div class="buttons">
                <button type="submit" id="approve" name="decision" value="approve">Approve</button>
                <button type="submit" id="deny" name="decision" value="deny">Deny</button>
                </div>
                </form>
                <p class="note">You will be sent back to <code id="redirect-uri">%s</code></p>
                """.formatted(client, client, scopes, AuthorizeController.DECISION_PATH, escape(requestId),
                escape(defaultCompany), AuthorizeController.MAX_COMPANY_LENGTH, escape(request.redirectUri()));
        return page("Sandbox provider \u2014 authorize " + request.clientId(), body);
    }

    static String error(String heading, String message) {
        return page("Sandbox provider \u2014 " + heading, """
                <h1 id="error">%s</h1>
                <p id="error-description">%s</p>
                """.formatted(escape(heading), escape(message)));
    }

    private static String page(String title, String body) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s</title>
                <style>
                %s</style>
                </head>
                <body>
                <main>
                %s</main>
                </body>
                </html>
                """.formatted(escape(title), STYLE, body);
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
