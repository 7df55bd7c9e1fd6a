package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Who may call what: 401 without a valid key, 403 with the wrong role, open health and API document. */
class ApiSecurityTest extends SchedulerApiTestBase {

    @Test
    void requestsWithoutAKeyAreUnauthorizedAndToldWhichHeaderToUse() {
        Response response = get("/api/connections", null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("ApiKey header=\"X-API-Key\"");
        assertThat(response.body().get("detail").asText()).contains("X-API-Key");
    }

    @Test
    void anUnknownKeyIsUnauthorizedAndSaysSo() {
        Response response = get("/api/dead-letters", "not-a-key-that-anyone-configured");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body().get("detail").asText()).contains("not valid");
        assertThat(response.body().toString()).doesNotContain("not-a-key-that-anyone-configured");
    }

    @Test
    void aTokenReaderCannotUseTheAdminApi() {
        assertThat(get("/api/connections", READER_KEY).status()).isEqualTo(403);
        assertThat(get("/api/dead-letters/stats", READER_KEY).status()).isEqualTo(403);
        assertThat(post("/api/dead-letters/replay", READER_KEY, "{\"all\":true}").status()).isEqualTo(403);
        assertThat(delete("/api/connections/" + UUID.randomUUID(), READER_KEY).status()).isEqualTo(403);
    }

    @Test
    void anAdminCannotReadAccessTokens() {
        Response response = get("/api/connections/" + UUID.randomUUID() + "/access-token", ADMIN_KEY);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.body().get("detail").asText()).contains("roles do not allow");
    }

    @Test
    void aTokenReaderGets404ForAnUnknownConnection() {
        assertThat(get("/api/connections/" + UUID.randomUUID() + "/access-token", READER_KEY).status())
                .isEqualTo(404);
    }

    @Test
    void healthAndTheApiDocumentNeedNoKey() {
        assertThat(get("/actuator/health", null).status()).isEqualTo(200);
        Response document = get("/v3/api-docs", null);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body().get("paths").has("/api/connections/{id}/access-token")).isTrue();
        assertThat(document.body().at("/components/securitySchemes/apiKey/name").asText()).isEqualTo("X-API-Key");
    }

    @Test
    void otherActuatorEndpointsNeedTheAdminRole() {
        assertThat(get("/actuator/metrics", null).status()).isEqualTo(401);
        assertThat(get("/actuator/metrics", READER_KEY).status()).isEqualTo(403);
        assertThat(get("/actuator/metrics", ADMIN_KEY).status()).isEqualTo(200);
    }
}
