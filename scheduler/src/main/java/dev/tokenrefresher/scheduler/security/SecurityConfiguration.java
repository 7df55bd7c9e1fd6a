package dev.tokenrefresher.scheduler.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * Who may call what. Stateless: every request carries its API key. Health, info, the Prometheus endpoint, the
 * OpenAPI document and a connect session's browser addresses ({@code /connect/...}) are open; reading an access token
 * needs {@code token-reader}; connect sessions need {@code connect} or {@code admin}; everything else under {@code /api}
 * and the other actuator endpoints need {@code admin}. Refusals are problem details: 401 without a (valid) key, 403 with the wrong role.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** The path host apps read tokens from; the only one open to {@code token-reader}. */
    static final String ACCESS_TOKEN_PATH = "/api/connections/*/access-token";
    /** Where a host app asks for a reconnect link; open to {@code connect} as well as {@code admin}. */
    static final String RECONNECT_SESSION_PATH = "/api/connections/*/reconnect-session";

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyProperties properties, ObjectMapper json)
            throws Exception {
        ApiKeys keys = new ApiKeys(properties);
        log.info("API keys accepted: {}", properties.apiKeys());
        return http
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> requests
                        // Prometheus scrapes without a key: meters carry no secret and no tenant (docs/metrics.md)
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                                "/actuator/prometheus")
                        .permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .requestMatchers("/error").permitAll()
                        // a user's browser: the connect link (its secret is the credential) and the provider's callback
                        .requestMatchers(HttpMethod.GET, "/connect/*").permitAll()
                        .requestMatchers("/api/connect-sessions", "/api/connect-sessions/*")
                        .hasAnyRole(ApiRole.ADMIN.name(), ApiRole.CONNECT.name())
                        .requestMatchers(HttpMethod.POST, RECONNECT_SESSION_PATH)
                        .hasAnyRole(ApiRole.ADMIN.name(), ApiRole.CONNECT.name())
                        .requestMatchers(HttpMethod.GET, ACCESS_TOKEN_PATH).hasRole(ApiRole.TOKEN_READER.name())
                        .requestMatchers("/api/**", "/actuator/**").hasRole(ApiRole.ADMIN.name())
                        .anyRequest().denyAll())
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> {
                            boolean invalid = request
                                    .getAttribute(ApiKeyAuthenticationFilter.INVALID_KEY_ATTRIBUTE) != null;
                            response.setHeader("WWW-Authenticate", "ApiKey header=\""
                                    + ApiKeyAuthenticationFilter.HEADER + "\"");
                            write(response, json, HttpStatus.UNAUTHORIZED, invalid
                                    ? "the API key in " + ApiKeyAuthenticationFilter.HEADER + " is not valid"
                                    : "an API key is required in the " + ApiKeyAuthenticationFilter.HEADER
                                            + " header");
                        })
                        .accessDeniedHandler((request, response, e) -> write(response, json, HttpStatus.FORBIDDEN,
                                "this API key's roles do not allow " + request.getMethod() + " "
                                        + request.getRequestURI())))
                .build();
    }

    private static void write(HttpServletResponse response, ObjectMapper json, HttpStatus status, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), ProblemDetail.forStatusAndDetail(status, detail));
    }
}
