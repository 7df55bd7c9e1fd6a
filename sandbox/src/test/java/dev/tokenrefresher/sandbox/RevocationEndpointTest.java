package dev.tokenrefresher.sandbox;

import static dev.tokenrefresher.sandbox.SandboxHttp.basic;
import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Intuit's revocation endpoint as the sandbox plays it: JSON or RFC 7009 form, whole chain revoked. */
class RevocationEndpointTest {

    private static final String PATH = "/v2/oauth2/tokens/revoke";

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(new MutableClock(Instant.parse("2025-01-01T00:00:00Z")));
        http = SandboxHttp.on(sandbox);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void aJsonRevocationEndsTheChainAsIntuitDoes() {
        JsonNode minted = http.mintOne();
        String refreshToken = minted.get("refreshToken").asString();

        HttpResponse<String> response = http.send(revoke("application/json", "{\"token\":\"" + refreshToken + "\"}")
                .header("Authorization", basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(http.get("/sandbox/connections/" + minted.get("realmId").asString())).get("revoked")
                .asBoolean()).isTrue();
        HttpResponse<String> refresh = http.refresh(refreshToken);
        assertThat(refresh.statusCode()).isEqualTo(400);
        assertThat(json(refresh).get("error").asString()).isEqualTo("invalid_grant");
    }

    @Test
    void aFormRevocationWithAnOlderTokenOfTheChainRevokesItToo() {
        JsonNode minted = http.mintOne();
        String first = minted.get("refreshToken").asString();
        String second = json(http.refresh(first)).get("refresh_token").asString();

        HttpResponse<String> response = http.send(revoke("application/x-www-form-urlencoded", SandboxHttp.form(Map
                .of("token", first, "token_type_hint", "refresh_token", "client_id", SandboxHttp.CLIENT_ID,
                        "client_secret", SandboxHttp.CLIENT_SECRET))));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(http.refresh(second)).get("error").asString()).isEqualTo("invalid_grant");
    }

    @Test
    void anUnknownTokenIsAcceptedAndBadCredentialsAreNot() {
        HttpResponse<String> unknown = http.send(revoke("application/json", "{\"token\":\"sbx_rt_unknown\"}")
                .header("Authorization", basic(SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET)));
        assertThat(unknown.statusCode()).isEqualTo(200);

        String refreshToken = http.mintOne().get("refreshToken").asString();
        HttpResponse<String> wrongClient = http.send(revoke("application/json", "{\"token\":\"" + refreshToken
                + "\"}").header("Authorization", basic(SandboxHttp.CLIENT_ID, "wrong-secret")));
        assertThat(wrongClient.statusCode()).isEqualTo(401);
        assertThat(json(wrongClient).get("error").asString()).isEqualTo("invalid_client");
        assertThat(wrongClient.body()).doesNotContain(refreshToken);
        assertThat(http.refresh(refreshToken).statusCode()).as("not revoked").isEqualTo(200);

        HttpResponse<String> noToken = http.send(revoke("application/json", "{}").header("Authorization", basic(
                SandboxHttp.CLIENT_ID, SandboxHttp.CLIENT_SECRET)));
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(json(noToken).get("error").asString()).isEqualTo("invalid_request");
    }

    private static HttpRequest.Builder revoke(String contentType, String body) {
        return HttpRequest.newBuilder(http.uri(PATH)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
