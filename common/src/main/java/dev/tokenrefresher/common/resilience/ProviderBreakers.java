package dev.tokenrefresher.common.resilience;

import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One resilience4j circuit breaker per provider, named after it: {@code resilience4j.circuitbreaker.instances.
 * <provider>} if configured, else the shared {@code configs.default}. The workers' consumers and the scheduler's
 * on-demand refresh each have their own (one registry per process), built and fed the same way: only a provider-side
 * transient failure counts ({@link #record}).
 */
public class ProviderBreakers {

    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();

    public ProviderBreakers(ProviderRegistry providers, CircuitBreakerRegistry registry) {
        for (ProviderSettings provider : providers.all()) {
            breakers.put(provider.name(), registry.circuitBreaker(provider.name()));
        }
    }

    /** @throws IllegalStateException for a provider that is not configured */
    public CircuitBreaker of(String provider) {
        CircuitBreaker breaker = breakers.get(provider);
        if (breaker == null) {
            throw new IllegalStateException("no circuit breaker for provider '" + provider + "'; configured: "
                    + breakers.keySet());
        }
        return breaker;
    }

    /**
     * Tells a provider's breaker how a call that it permitted went. A transient failure (5xx, 429, timeout, connection
     * error, malformed answer) is an error, recorded as a {@link ProviderUnavailableException}; every other answer,
     * {@code invalid_grant} and {@code invalid_client} included, comes from a healthy provider and is a success. What
     * happens after the answer (our database, our broker) is not the provider's doing and is never recorded.
     */
    public static void record(CircuitBreaker breaker, String provider, RefreshResult result) {
        long nanos = result.duration().toNanos();
        if (result instanceof RefreshResult.Failed failed && failed.errorClass() == ErrorClass.TRANSIENT) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new ProviderUnavailableException(provider, failed
                    .errorCode()));
        } else {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
