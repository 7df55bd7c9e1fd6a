package dev.tokenrefresher.worker.resilience;

import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * One resilience4j instance of each kind per provider, named after the provider. Each uses
 * {@code resilience4j.<kind>.instances.<provider>} if configured, else the shared {@code configs.default}. The circuit
 * breakers are the common {@link ProviderBreakers}, which the scheduler's on-demand refresh uses too.
 */
@Component
public class ProviderGuards {

    private final Map<String, ProviderGuard> guards = new LinkedHashMap<>();

    public ProviderGuards(ProviderRegistry providers, ProviderBreakers breakers, RateLimiterRegistry rateLimiters,
            BulkheadRegistry bulkheads) {
        for (ProviderSettings provider : providers.all()) {
            String name = provider.name();
            guards.put(name, new ProviderGuard(name, breakers.of(name), rateLimiters.rateLimiter(name),
                    bulkheads.bulkhead(name)));
        }
    }

    public ProviderGuard of(String provider) {
        ProviderGuard guard = guards.get(provider);
        if (guard == null) {
            throw new IllegalStateException("no guard for provider '" + provider + "'; configured: "
                    + guards.keySet());
        }
        return guard;
    }
}
