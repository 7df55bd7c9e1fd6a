package dev.tokenrefresher.sandbox.authorize;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates an authorization request as RFC 6749 section 4.1.2.1 orders it: a bad client or redirect URI gets an error
 * page and no redirect (it could be an open redirector), any other error goes back to the client's redirect URI.
 */
final class AuthorizeRequestCheck {

    sealed interface Outcome {
    }

    record Valid(AuthorizationRequest request) implements Outcome {
    }

    /** Shown to the user, status 400, no redirect. */
    record ErrorPage(String heading, String message) implements Outcome {
    }

    /** Sent back to the client, with the {@code error} code of RFC 6749 section 4.1.2.1. */
    record ErrorRedirect(String location, String error) implements Outcome {
    }

    private final String clientId;
    private final RedirectUris redirectUris;
    private final Set<String> scopes;

    AuthorizeRequestCheck(String clientId, AuthorizeProperties properties) {
        this.clientId = clientId;
        this.redirectUris = new RedirectUris(properties.redirectUris());
        Set<String> accepted = new LinkedHashSet<>();
        accepted.add(AuthorizeProperties.ACCOUNTING_SCOPE);
        accepted.addAll(properties.scopes());
        this.scopes = Set.copyOf(accepted);
    }

    Outcome check(Map<String, String[]> parameters) {
        Parameter client = Parameter.of(parameters, "client_id");
        if (!client.single()) {
            return new ErrorPage("Invalid request", "client_id is " + client.problem() + ".");
        }
        if (!clientId.equals(client.value())) {
            return new ErrorPage("Unknown application",
                    "No application with client_id " + client.value() + " is registered with the sandbox provider.");
        }
        Parameter redirect = Parameter.of(parameters, "redirect_uri");
        if (!redirect.single()) {
            return new ErrorPage("Invalid request", "redirect_uri is " + redirect.problem() + ".");
        }
        if (!redirectUris.allows(redirect.value())) {
            return new ErrorPage("Redirect URI not allowed", "The redirect_uri " + redirect.value()
                    + " is not registered for this application (sandbox.redirect-uris; when unset, any http(s) URI"
                    + " on localhost or 127.0.0.1).");
        }
        String redirectUri = redirect.value();
        Parameter state = Parameter.of(parameters, "state");
        String echoedState = state.single() ? state.value() : null;
        for (String name : List.of("response_type", "scope", "state")) {
            Parameter parameter = Parameter.of(parameters, name);
            if (!parameter.single()) {
                return error(redirectUri, "invalid_request", name + " is " + parameter.problem(), echoedState);
            }
        }
        String responseType = Parameter.of(parameters, "response_type").value();
        if (!"code".equals(responseType)) {
            return error(redirectUri, "unsupported_response_type", "response_type must be code", echoedState);
        }
        List<String> requestedScopes = Arrays.stream(Parameter.of(parameters, "scope").value().split(" "))
                .filter(scope -> !scope.isEmpty())
                .distinct()
                .toList();
        if (requestedScopes.isEmpty() || !scopes.containsAll(requestedScopes)) {
            return error(redirectUri, "invalid_scope", "scope must be one or more of " + String.join(" ", scopes),
                    echoedState);
        }
        Parameter challenge = Parameter.of(parameters, "code_challenge");
        Parameter method = Parameter.of(parameters, "code_challenge_method");
        if (challenge.repeated() || method.repeated()) {
            return error(redirectUri, "invalid_request", "code_challenge and code_challenge_method may be sent once",
                    echoedState);
        }
        if (challenge.present() || method.present()) {
            if (!Pkce.S256.equals(method.value())) {
                // RFC 7636 section 4.4.1; without a method the default would be plain
                return error(redirectUri, "invalid_request", "code_challenge_method must be S256 (plain is not"
                        + " supported)", echoedState);
            }
            if (!Pkce.wellFormed(challenge.value())) {
                return error(redirectUri, "invalid_request", "code_challenge must be 43 to 128 characters of"
                        + " [A-Za-z0-9-._~]", echoedState);
            }
        }
        return new Valid(new AuthorizationRequest(client.value(), redirectUri, requestedScopes, echoedState,
                challenge.present() ? challenge.value() : null));
    }

    private static ErrorRedirect error(String redirectUri, String error, String description, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("error", error);
        query.put("error_description", description);
        query.put("state", state);
        return new ErrorRedirect(RedirectUris.with(redirectUri, query), error);
    }

    /** One request parameter: absent, empty, sent once, or repeated (RFC 6749 section 3.1 forbids repeating). */
    private record Parameter(String[] values) {

        static Parameter of(Map<String, String[]> parameters, String name) {
            String[] values = parameters.get(name);
            return new Parameter(values == null ? new String[0] : values);
        }

        boolean present() {
            return values.length > 0 && !values[0].isEmpty();
        }

        boolean repeated() {
            return values.length > 1;
        }

        boolean single() {
            return values.length == 1 && !values[0].isEmpty();
        }

        String value() {
            return values.length == 0 ? null : values[0];
        }

        String problem() {
            return repeated() ? "repeated" : "missing";
        }
    }
}
