package dev.tokenrefresher.scheduler.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document ({@code /v3/api-docs}) and its UI ({@code /swagger-ui.html}), with the API-key scheme. */
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
}
