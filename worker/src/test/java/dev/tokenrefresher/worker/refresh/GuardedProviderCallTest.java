package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import dev.tokenrefresher.common.test.RunningSandbox;
import dev.tokenrefresher.worker.resilience.ProviderGuards;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The guarded, fast-retried provider call against the sandbox's real endpoint and its injected faults. */
class GuardedProviderCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RunningSandbox sandbox;

    private ProviderRegistry providers;
    private ProviderGuards guards;
    private GuardedProviderCall call;
    private final List<RefreshResult.Failed> retried = new ArrayList<>();

    @BeforeAll
    static void startSandbox() {
        sandbox = RunningSandbox.start();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void freshGuards() throws Exception {
        send("DELETE", "/sandbox/faults", null);
        send("POST", "/sandbox/reset", null);
        providers = new ProviderRegistry(new ProvidersProperties(Map.of("quickbooks", new ProviderProperties(null,
                sandbox.tokenUri(), RunningSandbox.CLIENT_ID, RunningSandbox.CLIENT_SECRET, null, null, null,
                Duration.ofSeconds(2), null, null, null, null, null))));
        guards = new ProviderGuards(providers, new ProviderBreakers(providers, CircuitBreakerRegistry.ofDefaults()),
                RateLimiterRegistry.ofDefaults(),
                BulkheadRegistry.ofDefaults());
        WorkerProperties properties = new WorkerProperties("test-worker", null, null, null, null, null, null, 3,
                Duration.ofMillis(10),
                Duration.ofMillis(50), null, null, null, null, null, null, null, null, null);
        call = new GuardedProviderCall(new TokenEndpointClient(JSON, Clock.systemUTC()), guards, properties,
                new StopSignal());
    }

    @Test
    void transientFailuresAreRetriedAtOnceUpToTheLimitAndTheLastAnswerStands() throws Exception {
        send("PUT", "/sandbox/faults", "{\"errorRate\":1.0}");

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), mintRefreshToken(),
                retried::add);

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class, answered -> assertThat(
                ((RefreshResult.Failed) answered.result()).errorClass()).isEqualTo(ErrorClass.TRANSIENT));
        assertThat(retried).hasSize(2);
        assertThat(stats().get("requests").asLong()).isEqualTo(3);
    }

    @Test
    void faultedRequestsLeaveTheTokenUsableSoARetryCanSucceed() throws Exception {
        String refreshToken = mintRefreshToken();
        send("PUT", "/sandbox/faults", "{\"errorRate\":1.0}");
        call.call(providers.get("quickbooks"), refreshToken, retried::add);
        send("DELETE", "/sandbox/faults", null);

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), refreshToken, retried::add);

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class,
                answered -> assertThat(answered.result()).isInstanceOf(RefreshResult.Granted.class));
    }

    /**
     * The provider may still be serving such a call: a timeout (200 headers at once, the body held past the 2-s
     * request timeout) or a 504 (its front end stopped waiting for the service behind it).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"requests\":1,\"stallBodyMillis\":5000} | timeout",
            "{\"requests\":1,\"status\":504} | http_504"})
    void aCallTheProviderMayStillBeServingIsAnsweredWithoutASecondCall(String fault, String errorCode)
            throws Exception {
        send("POST", "/sandbox/faults/next", fault);

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), mintRefreshToken(),
                retried::add);

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class, answered -> assertThat(
                answered.result()).isInstanceOfSatisfying(RefreshResult.Failed.class,
                        failed -> assertThat(failed
                                .errorCode()).isEqualTo(errorCode)));
        assertThat(retried).isEmpty();
        assertThat(stats().get("requests").asLong()).isEqualTo(1);
    }

    @Test
    void longRetryAfterSkipsTheFastRetries() throws Exception {
        send("PUT", "/sandbox/faults", "{\"rateLimitRate\":1.0,\"retryAfterSeconds\":30}");

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), mintRefreshToken(),
                retried::add);

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class, answered -> assertThat(
                ((RefreshResult.Failed) answered.result()).retryAfter()).isEqualTo(Duration.ofSeconds(30)));
        assertThat(stats().get("requests").asLong()).isEqualTo(1);
    }

    @Test
    void aShortRetryAfterIsWaitedInFullBeforeTheFastRetry() throws Exception {
        // fast retries may pause up to 3 s here, so a 429 asking for 2 s is retried in-process, not through the ladder
        GuardedProviderCall patient = new GuardedProviderCall(new TokenEndpointClient(JSON, Clock.systemUTC()),
                guards, new WorkerProperties("test-worker", null, null, null, null, null, null, 3, Duration.ofMillis(
                        10), Duration.ofSeconds(3), null, null, null, null, null, null, null, null, null),
                new StopSignal());
        send("POST", "/sandbox/faults/next", "{\"requests\":1,\"status\":429,\"retryAfterSeconds\":2}");
        List<Instant> failedAt = new ArrayList<>();

        GuardedProviderCall.Outcome outcome = patient.call(providers.get("quickbooks"), mintRefreshToken(),
                failed -> failedAt.add(Instant.now()));
        Instant answeredAt = Instant.now();

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class,
                answered -> assertThat(answered.result()).isInstanceOf(RefreshResult.Granted.class));
        assertThat(failedAt).hasSize(1);
        assertThat(Duration.between(failedAt.getFirst(), answeredAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(stats().get("requests").asLong()).isEqualTo(2);
    }

    @Test
    void openBreakerMakesNoCall() throws Exception {
        guards.of("quickbooks").circuitBreaker().transitionToForcedOpenState();

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), mintRefreshToken(),
                retried::add);

        assertThat(outcome).isEqualTo(new GuardedProviderCall.Outcome.NotCalled("circuit_open"));
        assertThat(stats().get("requests").asLong()).isZero();
    }

    @Test
    void invalidClientIsAnAnswerOfAHealthyProviderAndNotABreakerFailure() throws Exception {
        send("PUT", "/sandbox/faults", "{\"invalidClient\":true}");

        GuardedProviderCall.Outcome outcome = call.call(providers.get("quickbooks"), mintRefreshToken(),
                retried::add);

        assertThat(outcome).isInstanceOfSatisfying(GuardedProviderCall.Outcome.Answered.class, answered -> assertThat(
                ((RefreshResult.Failed) answered.result()).errorClass()).isEqualTo(ErrorClass.REJECTED));
        assertThat(guards.of("quickbooks").circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(retried).isEmpty();
    }

    private static String mintRefreshToken() throws Exception {
        return send("POST", "/sandbox/connections", null).get(0).get("refreshToken").asString();
    }

    private static JsonNode stats() throws Exception {
        return send("GET", "/sandbox/stats", null);
    }

    private static JsonNode send(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sandbox.url(path)).header("Content-Type",
                "application/json");
        request.method(method, json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
