package dev.tokenrefresher.sandbox.authorize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.sandbox.SandboxHttp;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Plays the browser and the client of the authorization-code flow against a sandbox over real HTTP. */
final class AuthorizeFlow {

    static final String REDIRECT_URI = "http://127.0.0.1:8123/callback";
    static final String SCOPE = AuthorizeProperties.ACCOUNTING_SCOPE;
    static final String STATE = "state-42";
    private static final Pattern REQUEST_ID = Pattern.compile("name=\"request\" value=\"([^\"]+)\"");

    private final SandboxHttp http;

    AuthorizeFlow(SandboxHttp http) {
        this.http = http;
    }

    /** The parameters of a valid request, in a map a test may change before {@link #authorize(Map)}. */
    static Map<String, String> validRequest() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("client_id", SandboxHttp.CLIENT_ID);
        parameters.put("response_type", "code");
        parameters.put("scope", SCOPE);
        parameters.put("redirect_uri", REDIRECT_URI);
        parameters.put("state", STATE);
        return parameters;
    }

    static Map<String, String> withPkce(String verifier) {
        Map<String, String> parameters = validRequest();
        parameters.put("code_challenge", Pkce.challengeOf(verifier));
        parameters.put("code_challenge_method", "S256");
        return parameters;
    }

    HttpResponse<String> authorize(Map<String, String> parameters) {
        return http.get("/connect/oauth2?" + query(parameters));
    }

    HttpResponse<String> decide(String requestId, String decision) {
        return decide(requestId, decision, "Test Company");
    }

    /** @param company a name (a new company), or the realm id of a connected one (authorized again) */
    HttpResponse<String> decide(String requestId, String decision, String company) {
        return http.send(HttpRequest.newBuilder(http.uri("/connect/oauth2/decision"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(Map.of("request", requestId, "decision", decision,
                        "company", company)))));
    }

    /** The consent page's hidden request id. */
    static String requestId(HttpResponse<String> page) {
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        Matcher matcher = REQUEST_ID.matcher(page.body());
        assertThat(matcher.find()).as("the page holds a request id").isTrue();
        return matcher.group(1);
    }

    /** Approves {@code parameters} on the consent page and answers the redirect's query. */
    Map<String, String> approve(Map<String, String> parameters) {
        HttpResponse<String> redirect = decide(requestId(authorize(parameters)), "approve");
        assertThat(redirect.statusCode()).isEqualTo(302);
        return redirectQuery(redirect);
    }

    /** The query of a redirect's Location, decoded; asserts it goes to {@link #REDIRECT_URI}. */
    static Map<String, String> redirectQuery(HttpResponse<String> redirect) {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT_URI + "?");
        return Arrays.stream(location.substring(location.indexOf('?') + 1).split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> decode(pair[0]), pair -> decode(pair[1]), (a, b) -> {
                    throw new AssertionError("repeated parameter in " + location);
                }, LinkedHashMap::new));
    }

    /** Exchanges a code with client_secret_basic; {@code verifier} null leaves it out. */
    HttpResponse<String> exchange(String code, String redirectUri, String verifier, String... headers) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = SandboxHttp.basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET);
        return http.send(http.tokenRequest(query(form), all));
    }

    static String query(Map<String, String> parameters) {
        return parameters.entrySet()
                .stream()
                .map(parameter -> encode(parameter.getKey()) + "=" + encode(parameter.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
