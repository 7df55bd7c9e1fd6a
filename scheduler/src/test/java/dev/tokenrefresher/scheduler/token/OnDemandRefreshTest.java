package dev.tokenrefresher.scheduler.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import dev.tokenrefresher.common.test.SettableClock;
import dev.tokenrefresher.scheduler.keys.UndecryptableLetters;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An on-demand call that finds the connection in the quiet period after a timed-out call (issue 19, point 2). The
 * claim is scripted; the clock is the test's.
 */
class OnDemandRefreshTest {

    private static final String PROVIDER = "acme";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final ConnectionStore store = mock(ConnectionStore.class);
    private final ConnectionClaims claims = mock(ConnectionClaims.class);
    private final ClaimedRefresh claimedRefresh = mock(ClaimedRefresh.class);
    private final OnDemandRefresh onDemand;

    OnDemandRefreshTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        null, null, null, null, null, null))));
        onDemand = new OnDemandRefresh(store, claims, providers, claimedRefresh, new ProviderCircuits(providers,
                new ProviderBreakers(providers, CircuitBreakerRegistry.ofDefaults())),
                new AccessTokenProperties(null,
                        null, null, "api-test", null, null, null),
                clock, mock(UndecryptableLetters.class));
    }

    @Test
    void aQuietPeriodLongerThanTheCallerMayWaitIsAnswered503AtOnceWithWhatIsLeftOfIt() {
        UUID id = UUID.randomUUID();
        when(store.find(id)).thenReturn(Optional.of(expiredConnection(id)));
        Duration left = AccessTokenProperties.DEFAULT_MAX_WAIT.plusSeconds(10);
        when(claims.claim(any(ClaimRequest.class))).thenReturn(new ClaimResult.Quiet(clock.instant().plus(left),
                left));

        AccessTokenUnavailableException unavailable = catchThrowableOfType(AccessTokenUnavailableException.class,
                () -> onDemand.accessToken(id, null));

        assertThat(unavailable.errorCode()).isEqualTo("quiet_period");
        assertThat(unavailable.retryAfter()).isEqualTo(left);
        assertThat(unavailable.providerRejected()).isFalse();
        assertThat(clock.instant()).as("nobody waited").isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
        verifyNoInteractions(claimedRefresh);
    }

    /** An active connection whose access token expired a minute ago: a call must refresh it. */
    private ConnectionView expiredConnection(UUID id) {
        Instant now = clock.instant();
        return new ConnectionView(id, "tenant", PROVIDER, ConnectionStatus.ACTIVE, now.minusSeconds(60), 3600, now
                .plus(Duration.ofDays(90)), null, now, 4, 1, "timeout: no complete answer", now.minusSeconds(3600),
                now
                        .minus(Duration.ofDays(1)),
                now);
    }
}
