package dev.tokenrefresher.common.resilience;

import dev.tokenrefresher.common.provider.ProviderRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The providers' circuit breakers, for the apps that call providers (worker, scheduler). Not part of
 * {@code CommonConfiguration}: the registry comes from resilience4j's Spring Boot module, which only those apps have.
 */
@Configuration(proxyBeanMethods = false)
public class ResilienceConfiguration {

    @Bean
    ProviderBreakers providerBreakers(ProviderRegistry providers, CircuitBreakerRegistry registry) {
        return new ProviderBreakers(providers, registry);
    }
}
