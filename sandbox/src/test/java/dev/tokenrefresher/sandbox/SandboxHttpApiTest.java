package dev.tokenrefresher.sandbox;

import static dev.tokenrefresher.sandbox.SandboxHttp.CLIENT_ID;
import static dev.tokenrefresher.sandbox.SandboxHttp.CLIENT_SECRET;
import static dev.tokenrefresher.sandbox.SandboxHttp.basic;
import static dev.tokenrefresher.sandbox.SandboxHttp.fieldNames;
import static dev.tokenrefresher.sandbox.SandboxHttp.form;
import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static dev.tokenrefresher.sandbox.SandboxHttp.refreshForm;
import static dev.tokenrefresher.sandbox.SandboxHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Starts the sandbox the way other modules' tests do, through {@link SandboxApplication#builder()}, and talks to it
 * over real HTTP. A controllable clock replaces the system clock so expiry needs no waiting.
 */
class SandboxHttpApiTest {

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(clock, "sandbox.access-token-lifetime=8s");
        http = SandboxHttp.on(sandbox);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void startFromScratch() {
        assertThat(http.post("/sandbox/reset").statusCode()).isEqualTo(204);
        assertThat(http
                .putJson("/sandbox/settings",
                        "{\"accessTokenLifetimeSeconds\":8,\"rotateEvery\":1,\"latencyMillis\":0}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void refreshWithBasicAuthenticationAnswersIntuitShapedTokens() {
        JsonNode minted = http.mintOne();

        HttpResponse<String> response = http.refresh(minted.get("refreshToken").asString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode body = json(response);
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("token_type", "access_token", "expires_in",
                "refresh_token", "x_refresh_token_expires_in");
        assertThat(body.get("token_type").asString()).isEqualTo("bearer");
        assertThat(body.get("access_token").asString()).startsWith("sbx_at_");
        assertThat(body.get("expires_in").asLong()).isEqualTo(8);
        assertThat(body.get("refresh_token").asString()).startsWith("sbx_rt_")
                .isNotEqualTo(minted.get("refreshToken").asString());
        assertThat(body.get("x_refresh_token_expires_in").asLong()).isEqualTo(Duration.ofDays(100).toSeconds());
    }

    @Test
    void refreshWithClientSecretPostIsAcceptedToo() {
        String refreshToken = http.mintOne().get("refreshToken").asString();

        HttpResponse<String> response = http
                .send(http.tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                        refreshToken, "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET))));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("refresh_token").asString()).startsWith("sbx_rt_");
    }

    @Test
    void wrongClientSecretIsAnswered401InvalidClient() {
        String refreshToken = http.mintOne().get("refreshToken").asString();

        HttpResponse<String> response = http
                .send(http.tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                        refreshToken)), "Authorization", basic(CLIENT_ID, "wrong-secret")));
        HttpResponse<String> anonymous = http
                .send(http.tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                        refreshToken))));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_client\"}");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(http.stats().get("invalidClientAnswers").asLong()).isEqualTo(2);
    }

    @Test
    void rotatedAwayRefreshTokenIsInvalidGrant() {
        String original = http.mintOne().get("refreshToken").asString();
        assertThat(http.refresh(original).statusCode()).isEqualTo(200);

        HttpResponse<String> reuse = http.refresh(original);

        assertThat(reuse.statusCode()).isEqualTo(400);
        JsonNode body = json(reuse);
        assertThat(body.get("error").asString()).isEqualTo("invalid_grant");
        assertThat(body.get("error_description").asString()).contains("rotated away");
        assertThat(reuse.body()).doesNotContain(original);
    }

    @Test
    void unknownRefreshTokenIsInvalidGrantCountedAsUnknown() {
        HttpResponse<String> response = http.refresh("sbx_rt_never-issued");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asString()).isEqualTo("invalid_grant");
        assertThat(http.stats().get("unknownTokenGrants").asLong()).isEqualTo(1);
    }

    @Test
    void otherGrantTypeIsUnsupportedAndMissingRefreshTokenIsInvalidRequest() {
        HttpResponse<String> otherGrant = http
                .send(http.tokenRequest(form(Map.of("grant_type", "client_credentials", "scope", "x")),
                        "Authorization", basic(CLIENT_ID, CLIENT_SECRET)));
        HttpResponse<String> noToken = http
                .send(http.tokenRequest(form(Map.of("grant_type", "refresh_token")), "Authorization",
                        basic(CLIENT_ID, CLIENT_SECRET)));

        assertThat(otherGrant.statusCode()).isEqualTo(400);
        assertThat(otherGrant.body()).isEqualTo("{\"error\":\"unsupported_grant_type\"}");
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(json(noToken).get("error").asString()).isEqualTo("invalid_request");
    }

    @Test
    void hardExpiryHeaderAddsSecondsUntilTheFiveYearCap() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        clock.advance(Duration.ofDays(1));

        HttpResponse<String> response = http.send(http.tokenRequest(refreshForm(refreshToken), "Authorization",
                basic(CLIENT_ID, CLIENT_SECRET), "x-include-refresh-token-hard-expires-in", "true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("x_refresh_token_hard_expires_in").asLong())
                .isEqualTo(Duration.ofDays(5 * 365 - 1).toSeconds());
    }

    @Test
    void settingsChangeAppliesToTheNextRefresh() {
        String refreshToken = http.mintOne().get("refreshToken").asString();

        HttpResponse<String> changed = http.putJson("/sandbox/settings",
                "{\"accessTokenLifetimeSeconds\":60,\"rotateEvery\":0}");
        HttpResponse<String> refreshed = http.refresh(refreshToken);

        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed)).isEqualTo(
                json("{\"accessTokenLifetimeSeconds\":60,\"rotateEvery\":0,\"latencyMillis\":0,\"answerDelayMillis\":0,\"spentTokenRevokes\":true,\"reuseGraceSeconds\":0}"));
        assertThat(json(http.get("/sandbox/settings"))).isEqualTo(json(changed));
        assertThat(json(refreshed).get("expires_in").asLong()).isEqualTo(60);
        assertThat(json(refreshed).get("refresh_token").asString()).isEqualTo(refreshToken);
    }

    @Test
    void negativeSettingIsRejectedNamingTheField() {
        HttpResponse<String> response = http.putJson("/sandbox/settings", "{\"latencyMillis\":-5}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("latencyMillis");
        assertThat(json(http.get("/sandbox/settings")).get("latencyMillis").asLong())
                .isZero();
    }

    @Test
    void mintCountOutsideOneToTenThousandIsRejectedNamingTheParameter() {
        for (String count : List.of("0", "10001", "many")) {
            HttpResponse<String> response = http.post("/sandbox/connections?count=" + count);

            assertThat(response.statusCode()).as("count=" + count).isEqualTo(400);
            assertThat(response.body()).as("count=" + count).contains("count");
        }
    }

    @Test
    void mintingAnswersCreatedWithTheFirstTokensOfEachConnection() {
        HttpResponse<String> response = http.post("/sandbox/connections?count=3");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode minted = json(response);
        assertThat(minted).hasSize(3);
        assertThat(fieldNames(minted.get(0))).containsExactlyInAnyOrder("realmId", "accessToken", "refreshToken",
                "tokenType", "expiresIn", "xRefreshTokenExpiresIn");
        assertThat(minted.get(0).get("expiresIn").asLong()).isEqualTo(8);
        assertThat(json(http.get("/sandbox/connections"))).hasSize(3);
    }

    @Test
    void connectionReportCountsLateRefreshesAndShowsOnlyTheTokenHash() {
        JsonNode minted = http.mintOne();
        String realmId = minted.get("realmId").asString();
        clock.advance(Duration.ofSeconds(9));
        String current = json(http.refresh(minted.get("refreshToken").asString())).get("refresh_token").asString();

        HttpResponse<String> response = http.get("/sandbox/connections/" + realmId);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("sbx_");
        JsonNode report = json(response);
        assertThat(fieldNames(report)).containsExactlyInAnyOrder("realmId", "refreshes", "overlappingRefreshes",
                "invalidGrants", "refreshesAfterAccessExpiry", "hardExpiredGrants", "revoked", "accessTokenExpiresAt",
                "refreshTokenExpiresAt", "hardExpiresAt", "currentRefreshTokenSha256", "reuseGraceSeconds",
                "graceReuses", "answerDelayMillis", "inFlight",
                "calls", "hungCalls", "slowCalls", "tailGroup");
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        assertThat(report.get("refreshesAfterAccessExpiry").asLong()).isEqualTo(1);
        assertThat(report.get("calls").asLong()).isEqualTo(1);
        assertThat(report.get("tailGroup").asString()).isEqualTo("other");
        assertThat(report.get("accessTokenExpiresAt").asString()).isEqualTo(clock.instant().plusSeconds(8).toString());
        assertThat(report.get("currentRefreshTokenSha256").asString()).isEqualTo(sha256(current));
        assertThat(http.get("/sandbox/connections/9130000000000000").statusCode())
                .isEqualTo(404);
    }

    @Test
    void revokedConnectionRefusesItsRefreshToken() {
        JsonNode minted = http.mintOne();
        String realmId = minted.get("realmId").asString();

        HttpResponse<String> revoke = http.post("/sandbox/connections/" + realmId + "/revoke");
        HttpResponse<String> refresh = http.refresh(minted.get("refreshToken").asString());

        assertThat(revoke.statusCode()).isEqualTo(204);
        assertThat(refresh.statusCode()).isEqualTo(400);
        assertThat(json(refresh).get("error_description").asString()).contains("revoked");
        assertThat(json(http.get("/sandbox/connections/" + realmId)).get("revoked")
                .asBoolean()).isTrue();
        assertThat(http.post("/sandbox/connections/9130000000000000/revoke")
                .statusCode()).isEqualTo(404);
    }

    @Test
    void requestArrivingDuringAnotherOneForTheSameConnectionIsCountedAsOverlap() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        http.putJson("/sandbox/settings", "{\"latencyMillis\":1000}");

        CompletableFuture<HttpResponse<String>> first = http.sendAsync(http.refreshRequest(refreshToken));
        await().atMost(Duration.ofSeconds(10)).until(() -> http.stats().get("inFlight").asInt() == 1);
        HttpResponse<String> second = http.refresh(refreshToken);

        assertThat(List.of(first.join().statusCode(), second.statusCode())).containsExactlyInAnyOrder(200, 400);
        JsonNode stats = http.stats();
        assertThat(stats.get("overlappingRefreshes").asLong()).isEqualTo(1);
        assertThat(stats.get("refreshes").asLong()).isEqualTo(1);
        assertThat(stats.get("invalidGrants").asLong()).isEqualTo(1);
        assertThat(stats.get("inFlight").asLong()).isZero();
    }

    @Test
    void statsAddUpEveryKindOfAnswerAndResetForgetsThem() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        http.refresh(refreshToken);
        http.refresh(refreshToken);
        http.refresh("sbx_rt_never-issued");

        JsonNode stats = http.stats();
        http.post("/sandbox/reset");

        assertThat(stats).isEqualTo(json("""
                {"connections":1,"requests":3,"refreshes":1,"overlappingRefreshes":0,"invalidGrants":2,
                 "unknownTokenGrants":1,"hardExpiredGrants":0,"refreshesAfterAccessExpiry":0,"invalidClientAnswers":0,
                 "inFlight":0,
                 "faultsInjected":{"error":0,"rateLimited":0,"hang":0,"outage":0,"invalidClient":0},
                 "faultsAfterRotation":{"reset":0,"serverError":0,"truncated":0,"stall":0},
                 "requestsByStatus":{"200":1,"400":2},
                 "authorizations":{"approved":0,"denied":0,"codesExchanged":0,"codesReused":0,"codesExpired":0,
                                   "pkceFailures":0}}"""));
        JsonNode afterReset = http.stats();
        assertThat(afterReset.get("connections").asInt()).isZero();
        assertThat(afterReset.get("requests").asInt()).isZero();
        assertThat(afterReset.get("requestsByStatus")).isEmpty();
    }

    @Test
    void healthEndpointIsUp() {
        HttpResponse<String> response = http.get("/actuator/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("status").asString()).isEqualTo("UP");
    }

    @Test
    void sandboxShipsNoApplicationConfigThatCouldLeakIntoOtherApplications() {
        ClassLoader classLoader = SandboxApplication.class.getClassLoader();

        assertThat(List.of("application.yml", "application.yaml", "application.properties"))
                .allSatisfy(name -> assertThat(classLoader.getResource(name)).as(name).isNull());
    }
}
