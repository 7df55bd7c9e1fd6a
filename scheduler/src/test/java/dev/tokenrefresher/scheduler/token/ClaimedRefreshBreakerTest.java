package dev.tokenrefresher.scheduler.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import dev.tokenrefresher.common.test.SettableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A claimed on-demand refresh whose provider's breaker opens under it: the breaker opens on the first failure here
 * (a window of one call), so the fast retry that would follow is refused. The provider's answers are scripted.
 */
class ClaimedRefreshBreakerTest {

    private static final String PROVIDER = "acme";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final TokenEndpointClient tokenEndpoint = mock(TokenEndpointClient.class);
    private final ConnectionStore store = mock(ConnectionStore.class);
    private final ConnectionClaims claims = mock(ConnectionClaims.class);
    private final RefreshOutcomes outcomes = mock(RefreshOutcomes.class);
    private final IssuedTokensRecorder recorder = mock(IssuedTokensRecorder.class);
    private final CircuitBreaker breaker;
    private final ClaimedRefresh claimedRefresh;

    ClaimedRefreshBreakerTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        null, null, null, null, null, null))));
        ProviderBreakers breakers = new ProviderBreakers(providers, CircuitBreakerRegistry.of(CircuitBreakerConfig
                .custom()
                .slidingWindowSize(1)
                .minimumNumberOfCalls(1)
                .failureRateThreshold(50)
                .waitDurationInOpenState(WAIT)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(clock)
                .build()));
        breaker = breakers.of(PROVIDER);
        claimedRefresh = new ClaimedRefresh(providers, tokenEndpoint, new ProviderCircuits(providers, breakers), store,
                claims, outcomes, mock(LateTokenRevocation.class), recorder, mock(RefreshPublisher.class), mock(
                        DeadLetterPublisher.class),
                mock(PendingDeadLetters.class),
                mock(ConnectionEventPublisher.class), mock(
                        RefreshMessageCodec.class),
                new AccessTokenProperties(null, null, null, "api-test",
                        null, Duration.ofMillis(10), Duration.ofMillis(20)),
                clock);
    }

    @Test
    void aFastRetryTheBreakerRefusesGivesTheClaimBackAndAnswersCircuitOpenWithoutCallingAgain() {
        Claim claim = claim();
        when(tokenEndpoint.refresh(any(ProviderSettings.class), eq("refresh"))).thenReturn(new RefreshResult.Failed(
                ErrorClass.TRANSIENT, "http_503", "down", 503, null, Duration.ofMillis(20), true));

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> claimedRefresh.refresh(claim, clock.instant().plusSeconds(20), clock.instant().plusSeconds(30)));

        assertThat(refused.circuitBreakerState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(refused.retryAfter()).isEqualTo(WAIT);
        verify(tokenEndpoint, times(1)).refresh(any(ProviderSettings.class), any());
        verify(claims).releaseLease(claim);
        verify(claims, never()).releaseLease(eq(claim), any(Duration.class));
        // the failed call was recorded when it was retried; the refused retry is not an attempt
        verify(store, times(1)).recordAttempt(eq(claim.connectionId()), anyLong(), any(AttemptRecord.class));
        verifyNoInteractions(recorder);
    }

    @Test
    void aClaimWhoseBreakerIsOpenCallsNothingAndGivesTheClaimBack() {
        breaker.transitionToOpenState();
        Claim claim = claim();

        ProviderCircuitOpenException refused = catchThrowableOfType(ProviderCircuitOpenException.class,
                () -> claimedRefresh.refresh(claim, clock.instant().plusSeconds(20), clock.instant().plusSeconds(30)));

        assertThat(refused.errorCode()).isEqualTo("circuit_open");
        verifyNoInteractions(tokenEndpoint, store);
        verify(claims).releaseLease(claim);
    }

    private Claim claim() {
        Instant now = clock.instant();
        return new Claim(UUID.randomUUID(), "tenant", PROVIDER, 5, "api-test", now.plusSeconds(30), Duration.ofSeconds(
                30), "refresh", new byte[0], now.minusSeconds(60), now.plus(Duration.ofDays(90)), 0, null, null);
    }
}
