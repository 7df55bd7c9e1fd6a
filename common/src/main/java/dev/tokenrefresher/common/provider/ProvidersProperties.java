package dev.tokenrefresher.common.provider;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The configured providers, {@code refresher.providers.<name>.*}. The name is part of queue names and routing keys, so
 * it is lowercase letters, digits and dashes.
 */
@ConfigurationProperties("refresher")
public record ProvidersProperties(Map<String, ProviderProperties> providers) {

    public ProvidersProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
    }
}
