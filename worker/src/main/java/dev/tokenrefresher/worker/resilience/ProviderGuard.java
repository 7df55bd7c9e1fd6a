package dev.tokenrefresher.worker.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;

/** One provider's circuit breaker, rate limiter and bulkhead: every call to its token endpoint passes all three. */
public record ProviderGuard(String provider, CircuitBreaker circuitBreaker, RateLimiter rateLimiter,
        Bulkhead bulkhead) {
}
