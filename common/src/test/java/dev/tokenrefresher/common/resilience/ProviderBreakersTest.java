package dev.tokenrefresher.common.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.provider.RefreshResult;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What counts against a provider's breaker: only the provider being unwell. */
class ProviderBreakersTest {

    private static final int WINDOW = 4;

    private final ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of("acme",
            new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null, null,
                    null, null, null, null, null))));
    private final ProviderBreakers breakers = new ProviderBreakers(providers, CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom().slidingWindowSize(WINDOW).minimumNumberOfCalls(WINDOW)
                    .failureRateThreshold(50).recordExceptions(ProviderUnavailableException.class).build()));
    private final CircuitBreaker acme = breakers.of("acme");

    @Test
    void refusalsOfAHealthyProviderNeverOpenTheBreaker() {
        for (int i = 0; i < 3 * WINDOW; i++) {
            call(new RefreshResult.Failed(ErrorClass.REAUTH_REQUIRED, "invalid_grant", "refused", 400, null, Duration
                    .ofMillis(5), false));
            call(new RefreshResult.Failed(ErrorClass.REJECTED, "invalid_client", "refused", 401, null, Duration
                    .ofMillis(5), false));
        }

        assertThat(acme.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(acme.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void transientFailuresAndTimeoutsOpenIt() {
        call(new RefreshResult.Failed(ErrorClass.TRANSIENT, "http_503", "down", 503, null, Duration.ofMillis(5), true));
        call(new RefreshResult.Failed(ErrorClass.TRANSIENT, "rate_limited", "slow down", 429, Duration.ofSeconds(1),
                Duration.ofMillis(5), false));
        call(new RefreshResult.Failed(ErrorClass.TRANSIENT, "timeout", "no answer", null, null, Duration.ofSeconds(10),
                true, true));
        call(new RefreshResult.Failed(ErrorClass.TRANSIENT, "connection_error", "refused", null, null, Duration
                .ofMillis(1), false));

        assertThat(acme.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void anUnknownProviderHasNoBreaker() {
        assertThatThrownBy(() -> breakers.of("nobody")).isInstanceOf(IllegalStateException.class).hasMessageContaining(
                "acme");
    }

    private void call(RefreshResult result) {
        assertThat(acme.tryAcquirePermission()).isTrue();
        ProviderBreakers.record(acme, "acme", result);
    }
}
