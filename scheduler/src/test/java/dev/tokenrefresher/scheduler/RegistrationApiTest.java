package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Registration as users of providers other than the sandbox meet it: refresh tokens without expiry, token responses
 * handed over as they came, and problem documents for every kind of bad request.
 */
class RegistrationApiTest extends SchedulerApiTestBase {

    private static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "absent";
        }
    };

    @Test
    void noCombinationOfTheOptionalFieldsIsAnsweredWithA500() {
        Map<String, List<Object>> optional = new LinkedHashMap<>();
        optional.put("realmId", Arrays.asList(ABSENT, null, 0, "9130355377288016"));
        optional.put("refreshTokenExpiresIn", Arrays.asList(ABSENT, null, 0, 8_726_400));
        optional.put("refreshTokenHardExpiresIn", Arrays.asList(ABSENT, null, 0, 157_680_000));
        optional.put("obtainedAt", Arrays.asList(ABSENT, null, 0, Instant.now().minusSeconds(60).toString()));
        List<String> fields = new ArrayList<>(optional.keySet());
        Map<String, Integer> statuses = new LinkedHashMap<>();

        for (int combination = 0; combination < 256; combination++) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("tenantId", "tenant-" + UUID.randomUUID(),
                    "provider", PROVIDER, "accessToken", "at-" + UUID.randomUUID(), "refreshToken", "rt-" + UUID
                            .randomUUID(),
                    "expiresIn", 3600));
            StringBuilder described = new StringBuilder();
            for (int f = 0; f < fields.size(); f++) {
                Object value = optional.get(fields.get(f)).get((combination >> (2 * f)) & 3);
                described.append(fields.get(f)).append('=').append(value).append(' ');
                if (value != ABSENT) {
                    body.put(fields.get(f), value);
                }
            }
            statuses.put(described.toString().trim(), post("/api/connections", ADMIN_KEY, body).status());
        }

        assertThat(statuses).hasSize(256).allSatisfy((combination, status) -> assertThat(status).as(combination)
                .isIn(201, 400));
        // no expiry given in any spelling (the NullPointerException of issue 16): registered, not refused
        assertThat(statuses).containsEntry("realmId=absent refreshTokenExpiresIn=absent "
                + "refreshTokenHardExpiresIn=absent obtainedAt=absent", 201)
                .containsEntry("realmId=absent refreshTokenExpiresIn=0 refreshTokenHardExpiresIn=0 obtainedAt=absent",
                        201)
                .containsEntry("realmId=null refreshTokenExpiresIn=null refreshTokenHardExpiresIn=null "
                        + "obtainedAt=null", 201);
        // tokens from 1970 with a refresh token that lived 101 days: expired long ago, the tenant must reconnect
        assertThat(statuses).containsEntry("realmId=absent refreshTokenExpiresIn=8726400 "
                + "refreshTokenHardExpiresIn=absent obtainedAt=0", 400);
    }

    @Test
    void aRefreshTokenWithoutExpiryIsRegisteredAndNeverExpires() {
        Map<String, Object> body = registration(PROVIDER, mint(), 3000);
        body.put("refreshTokenExpiresIn", 0);

        Response response = post("/api/connections", ADMIN_KEY, body);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.body().get("refreshExpiresAt").isNull()).isTrue();
        assertThat(response.body().get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void theProvidersTokenResponseIsAcceptedAsItCameAndReadLikeARefreshsAnswer() {
        Minted minted = mint();
        ObjectNode tokenResponse = JSON.createObjectNode();
        // Intuit's answer, field for field; the numbers once as strings, as some providers send them
        tokenResponse.put("token_type", "bearer");
        tokenResponse.put("access_token", minted.accessToken());
        tokenResponse.put("refresh_token", minted.refreshToken());
        tokenResponse.put("expires_in", "3600");
        tokenResponse.put("x_refresh_token_expires_in", 8_726_400);
        tokenResponse.put("x_refresh_token_hard_expires_in", 86_400);
        Map<String, Object> body = new LinkedHashMap<>(Map.of("tenantId", "tenant-" + UUID.randomUUID(), "provider",
                PROVIDER, "realmId", minted.realmId(), "tokenResponse", tokenResponse));
        long refreshesBefore = sandboxRefreshes();

        Response response = post("/api/connections", ADMIN_KEY, body);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        JsonNode view = response.body();
        assertThat(view.get("accessTokenLifetimeSeconds").asInt()).isEqualTo(3600);
        // the hard cap (a day) is shorter than the rolling lifetime (101 days): it wins
        assertThat(Instant.parse(view.get("refreshExpiresAt").asString())).isBetween(Instant.now().plus(Duration
                .ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        Response token = get("/api/connections/" + view.get("id").asString() + "/access-token", READER_KEY);
        assertThat(token.body().get("accessToken").asString()).isEqualTo(minted.accessToken());
        assertThat(token.body().get("realmId").asString()).isEqualTo(minted.realmId());
        assertThat(sandboxRefreshes()).isEqualTo(refreshesBefore);
    }

    @Test
    void aTokenResponseWithRefreshExpiresInZeroIsAnOfflineTokenThatNeverExpires() {
        Minted minted = mint();
        ObjectNode tokenResponse = JSON.createObjectNode();
        tokenResponse.put("access_token", minted.accessToken());
        tokenResponse.put("refresh_token", minted.refreshToken());
        tokenResponse.put("expires_in", 60);
        tokenResponse.put("refresh_expires_in", 0);
        tokenResponse.put("token_type", "Bearer");
        tokenResponse.put("scope", "openid offline_access");

        Response response = post("/api/connections", ADMIN_KEY, Map.of("tenantId", "tenant-" + UUID.randomUUID(),
                "provider", PROVIDER, "tokenResponse", tokenResponse));

        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        assertThat(response.body().get("refreshExpiresAt").isNull()).isTrue();
        assertThat(response.body().get("accessTokenLifetimeSeconds").asInt()).isEqualTo(60);
    }

    @Test
    void aTokenResponseWithoutARefreshTokenOrBesideTheSeparateFieldsIsRefusedByName() {
        Minted minted = mint();
        ObjectNode withoutRefreshToken = JSON.createObjectNode();
        withoutRefreshToken.put("access_token", minted.accessToken());
        withoutRefreshToken.put("expires_in", 3600);
        Response missing = post("/api/connections", ADMIN_KEY, Map.of("tenantId", "t-" + UUID.randomUUID(),
                "provider", PROVIDER, "tokenResponse", withoutRefreshToken));
        ObjectNode error = JSON.createObjectNode();
        error.put("error", "invalid_grant");
        Response providerError = post("/api/connections", ADMIN_KEY, Map.of("tenantId", "t-" + UUID.randomUUID(),
                "provider", PROVIDER, "tokenResponse", error));
        Map<String, Object> both = registration(PROVIDER, minted, 3000);
        both.put("tokenResponse", withoutRefreshToken);
        Response twice = post("/api/connections", ADMIN_KEY, both);
        Response neither = post("/api/connections", ADMIN_KEY, Map.of("tenantId", "t-" + UUID.randomUUID(),
                "provider", PROVIDER));

        assertThat(missing.status()).isEqualTo(400);
        assertThat(fields(missing)).containsExactly("tokenResponse.refresh_token");
        assertThat(providerError.status()).isEqualTo(400);
        assertThat(fields(providerError)).containsExactly("tokenResponse");
        assertThat(providerError.body().get("detail").asString()).contains("access_token is missing");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(fields(twice)).containsExactly("tokenResponse");
        assertThat(neither.status()).isEqualTo(400);
        assertThat(fields(neither)).containsExactly("accessToken", "expiresIn", "refreshToken");
        for (Response response : List.of(missing, providerError, twice, neither)) {
            assertThat(response.body().toString()).doesNotContain(minted.accessToken());
        }
    }

    @Test
    void everyKindOfBadRequestIsAProblemDocument() {
        Response wrongType = postRaw("/api/connections", ADMIN_KEY, "text/plain", "tenantId=t");
        Response array = postRaw("/api/connections", ADMIN_KEY, "application/json", "[]");
        Response noBody = postRaw("/api/connections", ADMIN_KEY, "application/json", null);
        Response notJson = postRaw("/api/connections", ADMIN_KEY, "application/json", "{\"tenantId\": ");
        Response unknownPath = get("/api/no-such-thing", ADMIN_KEY);
        Response wrongMethod = put("/api/connections", ADMIN_KEY, "{}");

        assertProblem(wrongType, 415);
        assertProblem(array, 400);
        assertThat(fields(array)).containsExactly("body");
        assertThat(array.body().get("detail").asString()).isEqualTo("the request body must be a JSON object");
        assertProblem(noBody, 400);
        assertThat(noBody.body().get("detail").asString()).isEqualTo("the request body is missing");
        assertProblem(notJson, 400);
        assertThat(notJson.body().get("detail").asString()).isEqualTo("the request body is not valid JSON");
        assertProblem(unknownPath, 404);
        assertProblem(wrongMethod, 405);
    }

    @Test
    void anUnexpectedExceptionIsA500ProblemWithAReferenceAndNeitherItsMessageNorItsTrace() {
        Response response = get("/api/test-only/failure", ADMIN_KEY);

        assertProblem(response, 500);
        assertThat(response.body().get("reference").asString()).isNotBlank();
        assertThat(response.body().toString()).doesNotContain(FailingController.SECRET)
                .doesNotContain("IllegalStateException").doesNotContain("at dev.tokenrefresher");
    }

    private static void assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as("content type of a %s", status)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body().get("status").asInt()).isEqualTo(status);
        assertThat(response.body().has("trace")).isFalse();
    }

    private static List<String> fields(Response response) {
        return response.body().get("errors").findValuesAsString("field");
    }

    /** A defect on purpose: an exception no handler knows, with a message that must not reach the caller. */
    @RestController
    static class FailingController {
        static final String SECRET = "a-client-secret-that-must-not-leak";

        @GetMapping("/api/test-only/failure")
        String fail() {
            throw new IllegalStateException("a defect holding " + SECRET);
        }
    }

    @TestConfiguration
    static class FailingEndpoint {
        @Bean
        FailingController failingController() {
            return new FailingController();
        }
    }
}
