package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The API document tells a new user what each operation does and every answer it gives. */
class OpenApiDocumentTest extends SchedulerApiTestBase {

    @Test
    void everyOperationHasASummaryADescriptionAReadableTagAndItsProblemAnswers() {
        JsonNode document = get("/v3/api-docs", ADMIN_KEY).body();
        List<String> operations = new ArrayList<>();

        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                String name = method.getKey().toUpperCase() + " " + path.getKey();
                JsonNode operation = method.getValue();
                operations.add(name);
                assertThat(operation.path("summary").asString()).as(name + " summary").isNotBlank();
                assertThat(operation.path("description").asString()).as(name + " description").isNotBlank();
                assertThat(operation.path("tags").get(0).asString()).as(name + " tag").isIn("Connections",
                        "Access tokens", "Dead letters", "Keys", "Connect sessions");
                JsonNode responses = operation.get("responses");
                assertThat(responses.propertyNames()).as(name + " answers").contains("401", "403", "500")
                        .anyMatch(status -> status.startsWith("2"));
                for (String status : responses.propertyNames()) {
                    JsonNode response = responses.get(status);
                    assertThat(response.path("description").asString()).as(name + " " + status).isNotBlank();
                    if (status.startsWith("4") || status.startsWith("5")) {
                        assertThat(response.path("content").propertyNames()).as(name + " " + status)
                                .containsExactly("application/problem+json");
                    }
                }
                if (path.getKey().contains("{id}")) {
                    assertThat(responses.propertyNames()).as(name + " answers").contains("404");
                }
            }
        }

        assertThat(operations).contains("POST /api/connections", "GET /api/connections/{id}/access-token",
                "GET /api/keys",
                "POST /api/dead-letters/replay");
        JsonNode register = document.at("/paths/~1api~1connections/post/responses");
        assertThat(register.propertyNames()).contains("201", "200", "400", "409");
        assertThat(register.at("/201/content").propertyNames()).containsExactly("application/json");
        assertThat(document.at("/paths/~1api~1connections/post/requestBody/content/application~1json/schema/$ref")
                .asString()).endsWith("RegisterConnectionRequest");
        JsonNode accessToken = document.at("/paths/~1api~1connections~1{id}~1access-token/get/responses");
        assertThat(accessToken.propertyNames()).contains("200", "400", "404", "409", "502", "503");
        assertThat(document.at("/components/schemas/ProblemDetail/properties").propertyNames()).contains("status",
                "detail");
    }
}
