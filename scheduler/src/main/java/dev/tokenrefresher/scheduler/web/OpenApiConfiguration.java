package dev.tokenrefresher.scheduler.web;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

/**
 * The OpenAPI document ({@code /v3/api-docs}) and its UI ({@code /swagger-ui.html}), with the API-key scheme. Each
 * operation declares its own answers ({@code @ApiResponse}); every one also answers 401, 403 and 500, and every error
 * answer is a problem document ({@code application/problem+json}), added here once rather than on each method.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    private static final String API_KEY_SCHEME = "apiKey";

    @Bean
    OpenAPI refresherOpenApi() {
        return new OpenAPI()
                .info(new Info().title("token-refresher scheduler API").version("v1").description("""
                        Register and manage OAuth2 connections, read fresh access tokens, inspect and replay dead \
                        letters. Every call needs an API key in the X-API-Key header: role admin for everything \
                        but access tokens, role token-reader for GET /api/connections/{id}/access-token."""))
                .components(new Components().addSecuritySchemes(API_KEY_SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name("X-API-Key")))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME));
    }

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEM_SCHEMA = "ProblemDetail";

    /** The answers every operation can give, whatever it does. */
    static final java.util.Map<String, String> COMMON_ERRORS = java.util.Map.of(
            "401", "no API key, or an invalid one, in X-API-Key",
            "403", "the API key's role does not allow this operation",
            "500", "an unexpected error; the log has it under the reference in the answer");

    @Bean
    OpenApiCustomizer problemAnswers() {
        return openApi -> {
            openApi.getComponents().addSchemas(PROBLEM_SCHEMA, ModelConverters.getInstance().readAllAsResolvedSchema(
                    ProblemDetail.class).schema);
            openApi.getPaths().values().forEach(path -> path.readOperations().forEach(
                    OpenApiConfiguration::documentErrors));
        };
    }

    private static void documentErrors(Operation operation) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        COMMON_ERRORS.forEach((status, description) -> responses.putIfAbsent(status, new ApiResponse().description(
                description)));
        responses.forEach((status, response) -> {
            if (status.startsWith("4") || status.startsWith("5")) {
                response.setContent(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(new Schema<>()
                        .$ref("#/components/schemas/" + PROBLEM_SCHEMA))));
            }
        });
        operation.setResponses(responses);
    }
}
