package dev.tokenrefresher.sandbox.authorize;

import static dev.tokenrefresher.sandbox.SandboxHttp.fieldNames;
import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.REDIRECT_URI;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.validRequest;
import static dev.tokenrefresher.sandbox.authorize.AuthorizeFlow.withPkce;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The token endpoint's authorization-code grant over real HTTP: a code is single-use, short-lived, bound to its
 * redirect URI and PKCE challenge, and the connection it creates refreshes like any other; plus the hard expiry.
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthorizationCodeGrantHttpTest {

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private static final String VERIFIER = "verifier-0123456789-0123456789-0123456789-abcdef";
    private static final String HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";
    private static final long FIVE_YEARS = 157_680_000;

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;
    private static AuthorizeFlow flow;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(clock, "sandbox.authorization-code-lifetime=60s");
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
    void exchangedCodeAnswersTokensAndTheConnectionThenRefreshesWithTheRefreshGrant() {
        Map<String, String> approved = flow.approve(validRequest());

        HttpResponse<String> exchanged = flow.exchange(approved.get("code"), REDIRECT_URI, null);

        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        assertThat(exchanged.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode tokens = json(exchanged);
        assertThat(fieldNames(tokens)).containsExactlyInAnyOrder("token_type", "access_token", "expires_in",
                "refresh_token", "x_refresh_token_expires_in");
        assertThat(tokens.get("token_type").asString()).isEqualTo("bearer");
        assertThat(tokens.get("access_token").asString()).startsWith("sbx_at_");
        assertThat(tokens.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(tokens.get("x_refresh_token_expires_in").asLong()).isEqualTo(Duration.ofDays(100).toSeconds());
        HttpResponse<String> refreshed = http.refresh(tokens.get("refresh_token").asString());
        assertThat(refreshed.statusCode()).isEqualTo(200);
        JsonNode report = json(http.get("/sandbox/connections/" + approved.get("realmId")));
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        assertThat(report.get("hardExpiresAt").asString()).isEqualTo(clock.instant().plusSeconds(FIVE_YEARS)
                .toString());
        assertThat(http.stats().get("authorizations").get("codesExchanged").asLong()).isEqualTo(1);
    }

    @Test
    void clientSecretPostIsAcceptedAndAWrongSecretIsInvalidClient() {
        String code = flow.approve(validRequest()).get("code");
        Map<String, String> form = Map.of("grant_type", "authorization_code", "code", code, "redirect_uri",
                REDIRECT_URI, "client_id", SandboxHttp.CLIENT_ID, "client_secret", "wrong");

        HttpResponse<String> wrong = http.send(http.tokenRequest(SandboxHttp.form(form)));
        HttpResponse<String> right = http.send(http.tokenRequest(SandboxHttp.form(Map.of("grant_type",
                "authorization_code", "code", code, "redirect_uri", REDIRECT_URI, "client_id", SandboxHttp.CLIENT_ID,
                "client_secret", SandboxHttp.CLIENT_SECRET))));

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).get("error").asString()).isEqualTo("invalid_client");
        assertThat(right.statusCode()).as("the refused client did not use the code up").isEqualTo(200);
    }

    @Test
    void codeIsSingleUseAndItsSecondUseRevokesTheTokensOfTheFirst() {
        Map<String, String> approved = flow.approve(validRequest());
        String refreshToken = json(flow.exchange(approved.get("code"), REDIRECT_URI, null)).get("refresh_token")
                .asString();

        HttpResponse<String> again = flow.exchange(approved.get("code"), REDIRECT_URI, null);

        assertInvalidGrant(again, "already used");
        assertThat(again.body()).doesNotContain(approved.get("code"));
        assertThat(json(http.get("/sandbox/connections/" + approved.get("realmId"))).get("revoked").asBoolean())
                .isTrue();
        assertThat(json(http.refresh(refreshToken)).get("error").asString()).isEqualTo("invalid_grant");
        assertThat(http.stats().get("authorizations").get("codesReused").asLong()).isEqualTo(1);
    }

    @Test
    void approvingAConnectedCompanyAgainKeepsItsRealmAndRevokesTheEarlierChain() {
        Map<String, String> first = flow.approve(validRequest());
        String earlierRefreshToken = json(flow.exchange(first.get("code"), REDIRECT_URI, null)).get("refresh_token")
                .asString();

        HttpResponse<String> redirect = flow.decide(AuthorizeFlow.requestId(flow.authorize(validRequest())),
                "approve", first.get("realmId"));
        Map<String, String> again = AuthorizeFlow.redirectQuery(redirect);
        HttpResponse<String> exchanged = flow.exchange(again.get("code"), REDIRECT_URI, null);

        assertThat(again.get("realmId")).isEqualTo(first.get("realmId"));
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        assertThat(json(http.refresh(earlierRefreshToken)).get("error").asString()).isEqualTo("invalid_grant");
        assertThat(json(http.refresh(json(exchanged).get("refresh_token").asString())).has("access_token")).isTrue();
        assertThat(http.stats().get("connections").asInt()).isEqualTo(1);
    }

    @Test
    void codePresentedAfterItsLifetimeIsInvalidGrant() {
        String code = flow.approve(validRequest()).get("code");
        clock.advance(Duration.ofSeconds(60));

        assertInvalidGrant(flow.exchange(code, REDIRECT_URI, null), "expired");
        assertThat(http.stats().get("authorizations").get("codesExpired").asLong()).isEqualTo(1);
        assertThat(http.stats().get("connections").asInt()).isZero();
    }

    @Test
    void redirectUriOtherThanTheAuthorizationRequestsIsInvalidGrantAndMissingCodeInvalidRequest() {
        String code = flow.approve(validRequest()).get("code");

        assertInvalidGrant(flow.exchange(code, REDIRECT_URI + "/other", null), "redirect_uri");
        HttpResponse<String> noCode = http.send(http.tokenRequest("grant_type=authorization_code&redirect_uri=x",
                "Authorization", SandboxHttp.basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET)));
        assertThat(noCode.statusCode()).isEqualTo(400);
        assertThat(json(noCode).get("error").asString()).isEqualTo("invalid_request");
        assertInvalidGrant(flow.exchange("sbx_code_never-issued", REDIRECT_URI, null), "unknown");
    }

    @Test
    void pkceVerifierMustMatchTheChallenge() {
        HttpResponse<String> right = flow.exchange(flow.approve(withPkce(VERIFIER)).get("code"), REDIRECT_URI,
                VERIFIER);
        HttpResponse<String> wrong = flow.exchange(flow.approve(withPkce(VERIFIER)).get("code"), REDIRECT_URI,
                VERIFIER.replace('a', 'b'));
        HttpResponse<String> missing = flow.exchange(flow.approve(withPkce(VERIFIER)).get("code"), REDIRECT_URI,
                null);
        HttpResponse<String> unasked = flow.exchange(flow.approve(validRequest()).get("code"), REDIRECT_URI,
                VERIFIER);

        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertInvalidGrant(wrong, "does not match");
        assertThat(wrong.body()).doesNotContain(VERIFIER.replace('a', 'b'));
        assertInvalidGrant(missing, "code_verifier is missing");
        assertInvalidGrant(unasked, "no code_challenge");
        assertThat(http.stats().get("authorizations").get("pkceFailures").asLong()).isEqualTo(3);
    }

    @Test
    void hardExpiryIsReportedOnlyOnRequestAndDoesNotMoveWithRotations() {
        String code = flow.approve(validRequest()).get("code");
        JsonNode first = json(flow.exchange(code, REDIRECT_URI, null, HARD_EXPIRY_HEADER, "true"));
        clock.advance(Duration.ofDays(1));

        JsonNode asked = json(http.send(http.tokenRequest(SandboxHttp.refreshForm(first.get("refresh_token")
                .asString()), "Authorization", SandboxHttp.basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET),
                HARD_EXPIRY_HEADER, "true")));
        JsonNode plain = json(http.refresh(asked.get("refresh_token").asString()));

        assertThat(first.get("x_refresh_token_hard_expires_in").asLong()).isEqualTo(FIVE_YEARS);
        assertThat(asked.get("x_refresh_token_hard_expires_in").asLong()).isEqualTo(FIVE_YEARS - 86_400);
        assertThat(asked.get("refresh_token").asString()).isNotEqualTo(first.get("refresh_token").asString());
        assertThat(fieldNames(plain)).doesNotContain("x_refresh_token_hard_expires_in");
    }

    @Test
    void capMovedNearLimitsTheRollingExpiryAndARefreshAfterItIsHardExpired() {
        Map<String, String> approved = flow.approve(validRequest());
        String refreshToken = json(flow.exchange(approved.get("code"), REDIRECT_URI, null)).get("refresh_token")
                .asString();
        HttpResponse<String> moved = http.putJson("/sandbox/connections/" + approved.get("realmId")
                + "/hard-expires-at", "{\"secondsFromNow\":100}");
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(json(moved).get("hardExpiresAt").asString()).isEqualTo(clock.instant().plusSeconds(100)
                .toString());

        JsonNode nearCap = json(http.send(http.tokenRequest(SandboxHttp.refreshForm(refreshToken), "Authorization",
                SandboxHttp.basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET), HARD_EXPIRY_HEADER, "true")));
        clock.advance(Duration.ofSeconds(100));
        HttpResponse<String> afterCap = http.refresh(nearCap.get("refresh_token").asString());

        assertThat(nearCap.get("x_refresh_token_hard_expires_in").asLong()).isEqualTo(100);
        assertThat(nearCap.get("x_refresh_token_expires_in").asLong()).isEqualTo(100);
        assertInvalidGrant(afterCap, "hard expiry");
        assertThat(http.stats().get("hardExpiredGrants").asLong()).isEqualTo(1);
        assertThat(http.putJson("/sandbox/connections/" + approved.get("realmId") + "/hard-expires-at", "{}")
                .statusCode()).isEqualTo(400);
        assertThat(http.putJson("/sandbox/connections/9130000000000000/hard-expires-at",
                "{\"hardExpiresAt\":\"2030-01-01T00:00:00Z\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void noCodeVerifierTokenOrSecretReachesTheLog(CapturedOutput output) {
        Map<String, String> approved = flow.approve(withPkce(VERIFIER));
        JsonNode tokens = json(flow.exchange(approved.get("code"), REDIRECT_URI, VERIFIER));
        http.refresh(tokens.get("refresh_token").asString());
        flow.exchange(approved.get("code"), REDIRECT_URI, VERIFIER);

        assertThat(output.getAll()).contains("Authorization approved", approved.get("realmId"))
                .doesNotContain("sbx_code_", "sbx_rt_", "sbx_at_", VERIFIER, SandboxHttp.CLIENT_SECRET);
    }

    private static void assertInvalidGrant(HttpResponse<String> response, String description) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = json(response);
        assertThat(body.get("error").asString()).isEqualTo("invalid_grant");
        assertThat(body.get("error_description").asString()).contains(description);
    }
}
