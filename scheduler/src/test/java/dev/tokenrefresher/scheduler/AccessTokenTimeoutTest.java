package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 19, point 2, on demand: a refresh whose call timed out is not retried within the call, and nobody calls the
 * provider again with the same refresh token before the provider's quiet period has passed. The sandbox holds the call
 * (200 headers, then a body that stalls) a second past {@value #OTHER_PROVIDER}'s request timeout, and counts a request
 * for the connection meanwhile as an overlap.
 */
class AccessTokenTimeoutTest extends SchedulerApiTestBase {

    /** Past the request timeout, shorter than it plus the quiet period. */
    private static final Duration HELD = OTHER_REQUEST_TIMEOUT.plusSeconds(1);

    @AfterEach
    void noFaultLeft() {
        sandboxControl("DELETE", "/sandbox/faults", null);
    }

    @Test
    void aTimedOutRefreshIsNotRetriedWithinTheCallAndAnswers503WithTheQuietPeriodAsRetryAfter() {
        UUID id = register(OTHER_PROVIDER, mint(), 10);
        long requestsBefore = sandbox("/sandbox/stats").get("requests").asLong();
        holdNextCall();

        Response response = accessToken(id);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(503);
        assertThat(response.body().get("errorCode").asString()).isEqualTo("timeout");
        assertThat(response.headers().firstValue("Retry-After")).hasValue(Long.toString(OTHER_QUIET_PERIOD
                .toSeconds()));
        assertThat(sandbox("/sandbox/stats").get("requests").asLong() - requestsBefore).isEqualTo(1);
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().at("/recentAttempts/0/errorCode").asString())
                .isEqualTo("timeout");
    }

    @Test
    void theNextCallerWaitsOutTheQuietPeriodAndThenRefreshesWithoutOverlappingTheTimedOutCall() {
        Minted minted = mint();
        UUID id = register(OTHER_PROVIDER, minted, 10);
        holdNextCall();

        Response first = accessToken(id);
        Response second = accessToken(id);

        assertThat(first.status()).isEqualTo(503);
        assertThat(second.status()).as(second.body().toString()).isEqualTo(200);
        assertThat(second.body().get("refreshed").asBoolean()).isTrue();
        JsonNode report = sandbox("/sandbox/connections/" + minted.realmId());
        assertThat(report.get("overlappingRefreshes").asLong()).as("calls while the timed-out one was held").isZero();
        assertThat(report.get("invalidGrants").asLong()).isZero();
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        JsonNode attempts = get("/api/connections/" + id, ADMIN_KEY).body().get("recentAttempts");
        Instant refreshCalledAt = Instant.parse(attempts.at("/0/attemptedAt").asString()).minusMillis(attempts.at(
                "/0/durationMs").asLong());
        assertThat(Duration.between(Instant.parse(attempts.at("/1/attemptedAt").asString()), refreshCalledAt))
                .as("from the timeout to the next call").isGreaterThanOrEqualTo(OTHER_QUIET_PERIOD);
    }

    private void holdNextCall() {
        sandboxControl("POST", "/sandbox/faults/next", "{\"requests\":1,\"stallBodyMillis\":" + HELD.toMillis()
                + "}");
    }

    private Response accessToken(UUID id) {
        return get("/api/connections/" + id + "/access-token", READER_KEY);
    }
}
