package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may call what: 401 without a valid key, 403 with the wrong role, open health and API document. */
class ApiSecurityTest extends SchedulerApiTestBase {

    @Test
    void requestsWithoutAKeyAreUnauthorizedAndToldWhichHeaderToUse() {
        Response response = get("/api/connections", null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("ApiKey header=\"X-API-Key\"");
        assertThat(response.body().get("detail").asString()).contains("X-API-Key");
    }

    @Test
    void anUnknownKeyIsUnauthorizedAndSaysSo() {
        Response response = get("/api/dead-letters", "not-a-key-that-anyone-configured");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body().get("detail").asString()).contains("not valid");
        assertThat(response.body().toString()).doesNotContain("not-a-key-that-anyone-configured");
    }

    static Stream<Arguments> everyEndpoint() {
        UUID id = UUID.randomUUID();
        return Stream.of(
                Arguments.of("POST", "/api/connections", ADMIN_KEY),
                Arguments.of("GET", "/api/connections", ADMIN_KEY),
                Arguments.of("GET", "/api/connections/" + id, ADMIN_KEY),
                Arguments.of("POST", "/api/connections/" + id + "/refresh", ADMIN_KEY),
                Arguments.of("DELETE", "/api/connections/" + id, ADMIN_KEY),
                Arguments.of("GET", "/api/connections/" + id + "/access-token", READER_KEY),
                Arguments.of("GET", "/api/dead-letters", ADMIN_KEY),
                Arguments.of("GET", "/api/dead-letters/stats", ADMIN_KEY),
                Arguments.of("GET", "/api/dead-letters/1", ADMIN_KEY),
                Arguments.of("POST", "/api/dead-letters/replay", ADMIN_KEY),
                Arguments.of("DELETE", "/api/dead-letters?reason=x", ADMIN_KEY));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEndpoint")
    void everyEndpointIs401WithoutAKeyAnd403WithTheOtherRole(String method, String path, String allowedKey) {
        String otherKey = allowedKey.equals(ADMIN_KEY) ? READER_KEY : ADMIN_KEY;

        Response anonymous = call(method, path, null);
        Response wrongRole = call(method, path, otherKey);

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(wrongRole.status()).isEqualTo(403);
        assertThat(call(method, path, allowedKey).status()).isNotIn(401, 403);
    }

    private Response call(String method, String path, String key) {
        return switch (method) {
            case "GET" -> get(path, key);
            case "POST" -> post(path, key, "{}");
            case "DELETE" -> delete(path, key);
            default -> throw new IllegalArgumentException(method);
        };
    }

    @Test
    void anAdminCannotReadAccessTokens() {
        Response response = get("/api/connections/" + UUID.randomUUID() + "/access-token", ADMIN_KEY);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body().get("detail").asString()).contains("roles do not allow");
    }

    @Test
    void aTokenReaderGets404ForAnUnknownConnection() {
        assertThat(get("/api/connections/" + UUID.randomUUID() + "/access-token", READER_KEY).status())
                .isEqualTo(404);
    }

    @Test
    void healthTheApiDocumentAndPrometheusNeedNoKey() {
        assertThat(get("/actuator/health", null).status()).isEqualTo(200);
        Response document = get("/v3/api-docs", null);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body().get("paths").has("/api/connections/{id}/access-token")).isTrue();
        assertThat(document.body().at("/components/securitySchemes/apiKey/name").asString()).isEqualTo("X-API-Key");
        Response prometheus = get("/actuator/prometheus", null);
        assertThat(prometheus.status()).as("Prometheus scrapes without a key").isEqualTo(200);
        assertThat(prometheus.body().asString()).contains("refresher_queue_messages{", "refresher_connections{");
    }

    @Test
    void otherActuatorEndpointsNeedTheAdminRole() {
        assertThat(get("/actuator/metrics", null).status()).isEqualTo(401);
        assertThat(get("/actuator/metrics", READER_KEY).status()).isEqualTo(403);
        assertThat(get("/actuator/metrics", ADMIN_KEY).status()).isEqualTo(200);
    }
}
