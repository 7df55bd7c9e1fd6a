package dev.tokenrefresher.scheduler.token;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.UUID;

/**
 * The connection's token needs a refresh, but the provider's circuit breaker lets no call through: the provider failed
 * again and again lately (or an operator forced the breaker open). The provider was not called and the connection was
 * not claimed; its chain goes on. Answered 503 with {@code Retry-After}: when the breaker lets a probe call through.
 */
public class ProviderCircuitOpenException extends AccessTokenUnavailableException {

    /** The error code of the answer, as the workers name a call their breaker did not let through. */
    public static final String ERROR_CODE = "circuit_open";

    private final CircuitBreaker.State circuitBreakerState;

    ProviderCircuitOpenException(UUID connectionId, String provider, CircuitBreaker.State circuitBreakerState,
            Duration retryAfter) {
        super(connectionId, provider, ERROR_CODE, false, retryAfter, "the provider's circuit breaker is "
                + circuitBreakerState + " after repeated provider failures; no call is made to the provider for "
                + retryAfter.toMillis() + " ms");
        this.circuitBreakerState = circuitBreakerState;
    }

    /** {@code OPEN}, {@code FORCED_OPEN}, or {@code HALF_OPEN} with every probe call taken. */
    public CircuitBreaker.State circuitBreakerState() {
        return circuitBreakerState;
    }
}
