package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.resilience.ProviderBreakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 20, point 7, against the real sandbox provider with the scheduler's shipped breaker settings: during an
 * outage the access-token API calls the provider only until its circuit breaker opens; then a call that needs a
 * refresh answers 503 with {@code Retry-After} without reaching the provider, a token still valid enough is answered
 * from the store, and after the breaker's wait the call reaches the recovered provider and gets a fresh token.
 */
class AccessTokenOutageTest extends SchedulerApiTestBase {

    /** The shipped {@code wait-duration-in-open-state}. */
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern OPEN_STATE_METRIC = Pattern.compile("resilience4j_circuitbreaker_state\\{[^}]*name=\""
            + PROVIDER + "\"[^}]*state=\"open\"[^}]*} 1\\.0");

    @Autowired
    private ProviderBreakers breakers;

    @BeforeEach
    @AfterEach
    void providerWellAndBreakerClosed() {
        sandboxControl("DELETE", "/sandbox/faults/outage", null);
        sandboxControl("DELETE", "/sandbox/faults", null);
        // the test context is shared: no other test may find the breaker open, or this one find it half full
        breakers.of(PROVIDER).reset();
    }

    @Test
    void duringAnOutageTheApiStopsCallingTheProviderOnceItsBreakerOpensAndRecoversAfterTheWait() {
        UUID due = register(PROVIDER, mint(), 60);
        UUID stillValid = register(PROVIDER, mint(), 3000);
        sandboxControl("POST", "/sandbox/faults/outage", "{\"seconds\":300}");

        // each call reaches the failing provider (with its fast retries) until the breaker has seen enough failures
        Response refused = await("the breaker opens").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(
                50)).until(() -> accessToken(due),
                        response -> "circuit_open".equals(response.body().path("errorCode")
                                .asString(null)));
        long tokenRequestsWhenOpen = tokenRequests();

        assertRefusedWhileOpen(refused, due);
        for (int call = 0; call < 5; call++) {
            assertRefusedWhileOpen(accessToken(due), due);
        }
        Response fromStore = accessToken(stillValid);
        assertThat(fromStore.status()).as(fromStore.body().toString()).isEqualTo(200);
        assertThat(fromStore.body().get("refreshed").asBoolean()).isFalse();
        assertThat(get("/actuator/prometheus", null).body().asString()).containsPattern(OPEN_STATE_METRIC);
        assertThat(tokenRequests()).as("token requests at the sandbox while the breaker is open")
                .isEqualTo(tokenRequestsWhenOpen);

        sandboxControl("DELETE", "/sandbox/faults/outage", null);
        Response recovered = await("a call after the breaker's wait").atMost(WAIT.plusSeconds(10)).pollInterval(
                Duration.ofMillis(500)).until(() -> accessToken(due), response -> response.status() != 503);

        assertThat(recovered.status()).as(recovered.body().toString()).isEqualTo(200);
        assertThat(recovered.body().get("refreshed").asBoolean()).isTrue();
        assertThat(tokenRequests()).as("the probe reached the provider").isGreaterThan(tokenRequestsWhenOpen);
        assertThat(breakers.of(PROVIDER).getState()).isNotEqualTo(CircuitBreaker.State.OPEN);
    }

    private static void assertRefusedWhileOpen(Response response, UUID connectionId) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/problem+json"));
        assertThat(response.body().get("errorCode").asString()).isEqualTo("circuit_open");
        assertThat(response.body().get("provider").asString()).isEqualTo(PROVIDER);
        assertThat(response.body().get("circuitBreakerState").asString()).isEqualTo("OPEN");
        assertThat(response.body().get("connectionId").asString()).isEqualTo(connectionId.toString());
        assertThat(response.headers().firstValue("Retry-After").map(Long::parseLong)).as("seconds until a probe")
                .hasValueSatisfying(seconds -> assertThat(seconds).isBetween(1L, WAIT.toSeconds()));
    }

    private static long tokenRequests() {
        return sandbox("/sandbox/stats").get("requests").asLong();
    }

    private Response accessToken(UUID id) {
        return get("/api/connections/" + id + "/access-token", READER_KEY);
    }
}
