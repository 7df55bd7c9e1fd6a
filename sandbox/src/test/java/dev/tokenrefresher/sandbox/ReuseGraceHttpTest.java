package dev.tokenrefresher.sandbox;

import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The reuse grace over real HTTP: set at mint time, per connection, or as the run-time default; a refresh token the
 * chain rotated away works again within it, and a lost answer after the rotation is survived.
 */
class ReuseGraceHttpTest {

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(clock);
        http = SandboxHttp.on(sandbox);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @AfterEach
    void strictAgain() {
        http.putJson("/sandbox/settings", "{\"reuseGraceSeconds\":0}");
        http.delete("/sandbox/faults");
    }

    @Test
    void connectionMintedWithAGraceSurvivesAnAnswerLostAfterTheRotation() {
        JsonNode minted = mint("/sandbox/connections?reuseGraceSeconds=1800");
        http.postJson("/sandbox/faults/after-rotation", "{\"kind\":\"server_error\"}");
        assertThat(http.refresh(refreshToken(minted)).statusCode()).isEqualTo(500);

        HttpResponse<String> retried = http.refresh(refreshToken(minted));

        assertThat(retried.statusCode()).isEqualTo(200);
        JsonNode report = report(minted);
        assertThat(report.get("reuseGraceSeconds").asLong()).isEqualTo(1800);
        assertThat(report.get("graceReuses").asLong()).isEqualTo(1);
        assertThat(report.get("invalidGrants").asLong()).isZero();
    }

    @Test
    void runTimeDefaultAppliesToConnectionsWithoutAGraceOfTheirOwn() {
        JsonNode strict = mint("/sandbox/connections?reuseGraceSeconds=0");
        JsonNode following = mint("/sandbox/connections");
        assertThat(json(http.putJson("/sandbox/settings", "{\"reuseGraceSeconds\":60}")).get("reuseGraceSeconds")
                .asLong()).isEqualTo(60);

        http.refresh(refreshToken(strict));
        http.refresh(refreshToken(following));

        assertThat(http.refresh(refreshToken(strict)).statusCode()).isEqualTo(400);
        assertThat(http.refresh(refreshToken(following)).statusCode()).isEqualTo(200);
    }

    @Test
    void connectionsGraceCanBeChangedAndFollowsTheDefaultAgainWithNull() {
        JsonNode minted = mint("/sandbox/connections");
        String path = "/sandbox/connections/" + minted.get("realmId").asString() + "/reuse-grace";

        HttpResponse<String> changed = http.putJson(path, "{\"seconds\":30}");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed).get("reuseGraceSeconds").asLong()).isEqualTo(30);

        assertThat(json(http.putJson(path, "{\"seconds\":null}")).get("reuseGraceSeconds").asLong()).isZero();
    }

    @Test
    void badGraceIsA400NamingTheFieldAndAnUnknownRealmA404() {
        assertThat(detail(http.post("/sandbox/connections?reuseGraceSeconds=-1"))).contains("reuseGraceSeconds");
        assertThat(detail(http.putJson("/sandbox/settings", "{\"reuseGraceSeconds\":86401}"))).contains(
                "reuseGraceSeconds");
        JsonNode minted = mint("/sandbox/connections");
        assertThat(detail(http.putJson("/sandbox/connections/" + minted.get("realmId").asString() + "/reuse-grace",
                "{\"seconds\":-5}"))).contains("seconds");
        assertThat(http.putJson("/sandbox/connections/9130000000000000/reuse-grace", "{\"seconds\":5}").statusCode())
                .isEqualTo(404);
    }

    private static String detail(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(400);
        return json(response).get("detail").asString();
    }

    private static JsonNode mint(String path) {
        HttpResponse<String> response = http.post(path);
        assertThat(response.statusCode()).isEqualTo(201);
        return json(response).get(0);
    }

    private static JsonNode report(JsonNode minted) {
        return json(http.get("/sandbox/connections/" + minted.get("realmId").asString()));
    }

    private static String refreshToken(JsonNode minted) {
        return minted.get("refreshToken").asString();
    }
}
