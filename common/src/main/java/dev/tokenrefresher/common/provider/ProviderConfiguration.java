package dev.tokenrefresher.common.provider;

import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.ObjectMapper;

/** The provider registry and the token endpoint client. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProvidersProperties.class)
public class ProviderConfiguration {

    @Bean
    ProviderRegistry providerRegistry(ProvidersProperties properties) {
        return new ProviderRegistry(properties);
    }

    @Bean
    TokenEndpointClient tokenEndpointClient(ObjectMapper json, Clock clock) {
        return new TokenEndpointClient(json, clock);
    }

    @Bean
    LateTokenRevocation lateTokenRevocation(TokenEndpointClient tokenEndpointClient) {
        return new LateTokenRevocation(tokenEndpointClient);
    }
}
