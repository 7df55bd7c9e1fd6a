package dev.tokenrefresher.scheduler.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.StoredTokens;
import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import dev.tokenrefresher.common.test.SettableClock;
import dev.tokenrefresher.scheduler.keys.UndecryptableLetters;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, point 7: what the access-token API decides while the provider's circuit breaker is open. The breaker is a
 * real resilience4j one on the test's clock (no automatic transition: the clock alone decides when its wait is over);
 * the store, the claim and the claimed refresh are scripted.
 */
class OnDemandRefreshDuringOutageTest {

    private static final String PROVIDER = "acme";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int WINDOW = 4;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final ConnectionStore store = mock(ConnectionStore.class);
    private final ConnectionClaims claims = mock(ConnectionClaims.class);
    private final ClaimedRefresh claimedRefresh = mock(ClaimedRefresh.class);
    private final ProviderCircuits circuits;
    private final CircuitBreaker breaker;
    private final OnDemandRefresh onDemand;
    private final UUID id = UUID.randomUUID();

    OnDemandRefreshDuringOutageTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        null, null, null, null, null, null))));
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(WINDOW)
                .failureRateThreshold(50)
                .waitDurationInOpenState(WAIT)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build());
        ProviderBreakers breakers = new ProviderBreakers(providers, registry);
        breaker = breakers.of(PROVIDER);
        circuits = new ProviderCircuits(providers, breakers);
        onDemand = new OnDemandRefresh(store, claims, providers, claimedRefresh, circuits, new AccessTokenProperties(
                null, null, null, "api-test", null, null, null), clock, mock(UndecryptableLetters.class));
    }

    @Test
    void whileTheBreakerIsOpenACallThatNeedsARefreshIsRefusedWithTheTimeUntilItsProbeAndNothingIsClaimed() {
        providerFails(WINDOW);
        clock.advance(Duration.ofMillis(3_200));
        when(store.find(id)).thenReturn(Optional.of(connection(clock.instant().minusSeconds(60))));

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> onDemand.accessToken(id, null));

        assertThat(refused.circuitBreakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(6_800));
        assertThat(refused.errorCode()).isEqualTo("circuit_open");
        assertThat(refused.provider()).isEqualTo(PROVIDER);
        assertThat(refused.connectionId()).isEqualTo(id);
        assertThat(refused.providerRejected()).as("a 503, not a 502").isFalse();
        assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).as("counted as refused").isEqualTo(1);
        verifyNoInteractions(claims, claimedRefresh);
    }

    @Test
    void aStoredTokenStillValidEnoughIsAnsweredFromTheStoreWhileTheBreakerIsOpen() {
        providerFails(WINDOW);
        Instant expiresAt = clock.instant().plus(Duration.ofMinutes(40));
        when(store.find(id)).thenReturn(Optional.of(connection(expiresAt)));
        when(store.tokens(id)).thenReturn(Optional.of(new StoredTokens(id, "realm", "stored-access", "stored-refresh",
                expiresAt)));

        AccessToken token = onDemand.accessToken(id, null);

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(token.accessToken()).isEqualTo("stored-access");
        assertThat(token.refreshed()).isFalse();
        verifyNoInteractions(claims, claimedRefresh);
    }

    @Test
    void retryAfterNeverSaysLessThanOneSecond() {
        providerFails(WINDOW);
        clock.advance(WAIT.minusMillis(300));
        when(store.find(id)).thenReturn(Optional.of(connection(clock.instant().minusSeconds(60))));

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> onDemand.accessToken(id, null));

        assertThat(refused.retryAfter()).isEqualTo(ProviderCircuits.MIN_RETRY_AFTER);
    }

    @Test
    void onceTheWaitIsOverTheNextCallClaimsTheConnectionAndRefreshes() {
        providerFails(WINDOW);
        clock.advance(WAIT.plusMillis(1));
        Instant expired = clock.instant().minusSeconds(60);
        when(store.find(id)).thenReturn(Optional.of(connection(expired)));
        when(claims.claim(any(ClaimRequest.class))).thenReturn(new ClaimResult.Claimed(claim()));
        when(claimedRefresh.refresh(any(Claim.class), any(Instant.class), any(Instant.class))).thenReturn(Duration
                .ofHours(1));
        Instant fresh = clock.instant().plus(Duration.ofHours(1));
        when(store.tokens(id)).thenReturn(Optional.of(new StoredTokens(id, "realm", "new-access", "new-refresh",
                fresh)));

        AccessToken token = onDemand.accessToken(id, null);

        assertThat(token.refreshed()).isTrue();
        verify(claims, times(1)).claim(any(ClaimRequest.class));
        verify(claimedRefresh).refresh(any(Claim.class), any(Instant.class), eq(clock.instant().plus(
                AccessTokenProperties.DEFAULT_LEASE)));
    }

    @Test
    void aHalfOpenBreakerLetsItsProbeThroughAndTellsTheNextCallerToComeBackInASecond() {
        providerFails(WINDOW);
        clock.advance(WAIT.plusMillis(1));

        circuits.acquire(id, PROVIDER);
        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> circuits.acquire(id, PROVIDER));

        assertThat(refused.circuitBreakerState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(refused.retryAfter()).isEqualTo(ProviderCircuits.HALF_OPEN_RETRY_AFTER);
    }

    @Test
    void aFailedProbeOpensTheBreakerForAnotherWholeWait() {
        providerFails(WINDOW);
        clock.advance(WAIT.plusMillis(1));
        providerFails(1);
        clock.advance(Duration.ofSeconds(2));

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> circuits.requireCallable(id, PROVIDER));

        assertThat(refused.circuitBreakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(refused.retryAfter()).isEqualTo(WAIT.minusSeconds(2));
    }

    @Test
    void aSuccessfulProbeClosesTheBreakerAndCallsReachTheProviderAgain() {
        providerFails(WINDOW);
        clock.advance(WAIT.plusMillis(1));

        circuits.acquire(id, PROVIDER);
        circuits.record(PROVIDER, new RefreshResult.Granted(null, 200, Duration.ofMillis(40)));

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        circuits.requireCallable(id, PROVIDER);
        circuits.acquire(id, PROVIDER);
    }

    @Test
    void aBreakerAnOperatorForcedOpenRefusesWithItsWholeWait() {
        breaker.transitionToForcedOpenState();

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> circuits.requireCallable(id, PROVIDER));

        assertThat(refused.circuitBreakerState()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
        assertThat(refused.retryAfter()).isEqualTo(WAIT);
    }

    /** The provider answers {@code calls} permitted calls with 503. */
    private void providerFails(int calls) {
        for (int i = 0; i < calls; i++) {
            circuits.acquire(id, PROVIDER);
            circuits.record(PROVIDER, new RefreshResult.Failed(ErrorClass.TRANSIENT, "http_503", "outage", 503, null,
                    Duration.ofMillis(20), true));
        }
    }

    private ConnectionView connection(Instant accessExpiresAt) {
        Instant now = clock.instant();
        return new ConnectionView(id, "tenant", PROVIDER, ConnectionStatus.ACTIVE, accessExpiresAt, 3600, now.plus(
                Duration.ofDays(90)), null, now, 4, 0, null, now.minusSeconds(3600), now.minus(Duration.ofDays(1)),
                now);
    }

    private Claim claim() {
        Instant now = clock.instant();
        return new Claim(id, "tenant", PROVIDER, 5, "api-test", now.plus(AccessTokenProperties.DEFAULT_LEASE),
                AccessTokenProperties.DEFAULT_LEASE, "refresh", new byte[0], now.minusSeconds(60), now.plus(Duration
                        .ofDays(90)),
                0, null, null);
    }
}
