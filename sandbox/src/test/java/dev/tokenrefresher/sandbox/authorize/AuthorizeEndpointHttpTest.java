package dev.tokenrefresher.sandbox.authorize;

import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.REDIRECT_URI;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.STATE;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.redirectQuery;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.requestId;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.validRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.SandboxHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code GET /connect/oauth2} and its consent page over real HTTP: what is shown, where approve and deny lead, and which
 * bad requests get a page rather than a redirect.
 */
class AuthorizeEndpointHttpTest {

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private static final String HOSTILE = "\"><script>alert('x')</script>&amp;";

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;
    private static AuthorizeFlow flow;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(clock, "sandbox.authorization-code-lifetime=60s",
                "sandbox.scopes=openid,profile");
        http = SandboxHttp.on(sandbox);
        flow = new AuthorizeFlow(http);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void startFromScratch() {
        http.post("/sandbox/reset");
    }

    @Test
    void validRequestShowsAConsentPageWithApproveAndDenyButtons() {
        Map<String, String> request = validRequest();
        request.put("scope", AuthorizeFlow.SCOPE + " openid");

        HttpResponse<String> page = flow.authorize(request);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.body()).contains("<title>Sandbox provider \u2014 authorize sandbox-client</title>",
                "<button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">",
                "<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">",
                "action=\"/connect/oauth2/decision\"", "id=\"company\"", "<li class=\"scope\">openid</li>",
                "<li class=\"scope\">com.intuit.quickbooks.accounting</li>");
        assertThat(page.body()).doesNotContain("<script");
    }

    @Test
    void hostileValuesAreEscapedOnEveryPage() {
        Map<String, String> hostileState = validRequest();
        hostileState.put("state", HOSTILE);
        hostileState.put("redirect_uri", REDIRECT_URI + "?next='onmouseover='x");
        Map<String, String> hostileClient = validRequest();
        hostileClient.put("client_id", HOSTILE);

        HttpResponse<String> consent = flow.authorize(hostileState);
        HttpResponse<String> unknownClient = flow.authorize(hostileClient);

        assertThat(consent.statusCode()).isEqualTo(200);
        assertThat(consent.body()).doesNotContain("<script", "'onmouseover").contains("&#39;onmouseover=&#39;x");
        assertThat(unknownClient.statusCode()).isEqualTo(400);
        assertThat(unknownClient.body()).doesNotContain("<script")
                .contains("&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;");
    }

    @Test
    void approvingRedirectsWithACodeTheStateAndANewRealmId() {
        Map<String, String> request = validRequest();
        request.put("state", "a b&c=d+\u00e9/?");

        HttpResponse<String> redirect = flow.decide(requestId(flow.authorize(request)), "approve");

        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.body()).isEmpty();
        Map<String, String> query = redirectQuery(redirect);
        assertThat(query.keySet()).containsExactly("code", "state", "realmId");
        assertThat(query.get("code")).startsWith("sbx_code_");
        assertThat(query.get("state")).isEqualTo("a b&c=d+\u00e9/?");
        assertThat(query.get("realmId")).matches("9130\\d{12}");
        assertThat(http.stats().get("authorizations").get("approved").asLong()).isEqualTo(1);
    }

    @Test
    void denyingRedirectsWithAccessDeniedAndTheRequestCannotBeDecidedAgain() {
        String requestId = requestId(flow.authorize(validRequest()));

        HttpResponse<String> redirect = flow.decide(requestId, "deny");
        HttpResponse<String> again = flow.decide(requestId, "approve");

        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).hasValue(REDIRECT_URI
                + "?error=access_denied&state=" + STATE);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.headers().firstValue("Location")).isEmpty();
        assertThat(again.body()).contains("unknown, already decided or expired");
        assertThat(http.stats().get("authorizations").get("denied").asLong()).isEqualTo(1);
        assertThat(http.stats().get("authorizations").get("approved").asLong()).isZero();
    }

    @Test
    void consentLeftOpenPastTheCodeLifetimeCannotBeApproved() {
        String requestId = requestId(flow.authorize(validRequest()));
        clock.advance(Duration.ofSeconds(60));

        HttpResponse<String> late = flow.decide(requestId, "approve");

        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void unregisteredRedirectUriOrUnknownClientGetsAnErrorPageAndNoRedirect() {
        for (Map.Entry<String, String> bad : Map.of("redirect_uri", "https://evil.example/callback",
                "client_id", "someone-else").entrySet()) {
            Map<String, String> request = validRequest();
            request.put(bad.getKey(), bad.getValue());

            HttpResponse<String> page = flow.authorize(request);

            assertThat(page.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(page.headers().firstValue("Location")).as(bad.getKey()).isEmpty();
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
            assertThat(page.body()).contains(bad.getValue());
        }
        Map<String, String> noRedirect = validRequest();
        noRedirect.remove("redirect_uri");
        assertThat(flow.authorize(noRedirect).statusCode()).isEqualTo(400);
    }

    @Test
    void otherErrorsGoBackToTheClientWithErrorDescriptionAndState() {
        assertRedirectedError("response_type", "token", "unsupported_response_type");
        assertRedirectedError("scope", "com.intuit.quickbooks.payroll", "invalid_scope");
        assertRedirectedError("scope", " ", "invalid_scope");
        assertRedirectedError("code_challenge_method", "plain", "invalid_request");
        Map<String, String> plain = AuthorizeFlow.withPkce("v".repeat(43));
        plain.put("code_challenge_method", "plain");
        assertThat(redirectQuery(flow.authorize(plain))).contains(entry("error", "invalid_request"));
        Map<String, String> noMethod = AuthorizeFlow.withPkce("v".repeat(43));
        noMethod.remove("code_challenge_method");
        assertThat(redirectQuery(flow.authorize(noMethod))).contains(entry("error", "invalid_request"));
    }

    private static void assertRedirectedError(String parameter, String value, String error) {
        Map<String, String> request = validRequest();
        request.put(parameter, value);

        HttpResponse<String> redirect = flow.authorize(request);

        assertThat(redirect.statusCode()).as(parameter + "=" + value).isEqualTo(302);
        Map<String, String> query = redirectQuery(redirect);
        assertThat(query).as(parameter + "=" + value).contains(entry("error", error), entry("state", STATE))
                .containsKey("error_description");
    }
}
