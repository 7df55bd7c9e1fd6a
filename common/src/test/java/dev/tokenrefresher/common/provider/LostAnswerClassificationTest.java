package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.RunningSandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Which failures may have rotated the refresh token (issue 18, point 7), against the sandbox losing its answers after
 * the rotation: each is transient and says so in {@link RefreshResult.Failed#answerMayBeLost()}; a request that never
 * left or was turned away says the opposite.
 */
class LostAnswerClassificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static RunningSandbox sandbox;
    private final TokenEndpointClient client = new TokenEndpointClient(JSON, Clock.systemUTC());

    @BeforeAll
    static void startSandbox() {
        sandbox = RunningSandbox.start();
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void noFaults() throws Exception {
        send("DELETE", "/sandbox/faults", null);
    }

    @Test
    void connectionClosedWithoutAnAnswerAfterTheRotationIsALostConnection() throws Exception {
        assertLostAnswer("{\"kind\":\"reset\"}", "connection_lost");
    }

    @Test
    void serverErrorAfterTheRotationIsA5xxThatMayHaveRotated() throws Exception {
        assertLostAnswer("{\"kind\":\"server_error\"}", "http_500");
    }

    @Test
    void truncated200IsAMalformedAnswerThatMayHaveRotated() throws Exception {
        assertLostAnswer("{\"kind\":\"truncated\"}", "malformed_response");
    }

    @Test
    void bodyCutAfterAStallIsALostConnection() throws Exception {
        assertLostAnswer("{\"kind\":\"stall\",\"stallMillis\":300}", "connection_lost");
    }

    @Test
    void bodyStallingPastTheRequestTimeoutIsATimeoutThatMayHaveRotated() throws Exception {
        assertLostAnswer("{\"kind\":\"stall\",\"stallMillis\":4000}", "timeout");
    }

    @Test
    void aGatewayTimeoutMayStillBeServedAtTheProviderAndAnotherServerErrorNot() throws Exception {
        send("POST", "/sandbox/faults/next", "{\"requests\":1,\"status\":504}");
        RefreshResult gatewayTimeout = client.refresh(provider(sandbox.tokenUri()), mintRefreshToken());
        send("POST", "/sandbox/faults/next", "{\"requests\":1,\"status\":502}");
        RefreshResult badGateway = client.refresh(provider(sandbox.tokenUri()), mintRefreshToken());

        assertThat(gatewayTimeout).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("http_504");
            assertThat(failed.answerMayBeLost()).isTrue();
            assertThat(failed.mayStillRun()).isTrue();
        });
        assertThat(badGateway).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.answerMayBeLost()).isTrue();
            assertThat(failed.mayStillRun()).isFalse();
        });
    }

    @Test
    void refusedConnectionCannotHaveRotated() {
        RefreshResult result = client.refresh(provider(URI.create("http://127.0.0.1:9/token")), "any");

        assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("connection_error");
            assertThat(failed.answerMayBeLost()).isFalse();
        });
    }

    @Test
    void rateLimitedAnswerAndInvalidGrantCannotHaveRotated() throws Exception {
        String refreshToken = mintRefreshToken();
        send("POST", "/sandbox/faults/next", "{\"requests\":1,\"status\":429}");

        RefreshResult rateLimited = client.refresh(provider(sandbox.tokenUri()), refreshToken);
        RefreshResult refused = client.refresh(provider(sandbox.tokenUri()), "sbx_rt_never-issued");

        assertThat(rateLimited).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> assertThat(failed
                .answerMayBeLost()).isFalse());
        assertThat(refused).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.REAUTH_REQUIRED);
            assertThat(failed.answerMayBeLost()).isFalse();
        });
    }

    private void assertLostAnswer(String fault, String errorCode) throws Exception {
        String refreshToken = mintRefreshToken();
        send("POST", "/sandbox/faults/after-rotation", fault);

        RefreshResult result = client.refresh(provider(sandbox.tokenUri()), refreshToken);

        assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failed.errorCode()).isEqualTo(errorCode);
            assertThat(failed.answerMayBeLost()).isTrue();
            // the provider answered, or closed the connection, unless we stopped waiting for it
            assertThat(failed.mayStillRun()).isEqualTo(errorCode.equals("timeout"));
            assertThat(failed.detail()).doesNotContain(refreshToken);
        });
        // the provider did rotate: the token the client still holds is spent
        RefreshResult again = client.refresh(provider(sandbox.tokenUri()), refreshToken);
        assertThat(again).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> assertThat(failed
                .errorCode()).isEqualTo("invalid_grant"));
    }

    private static ProviderSettings provider(URI tokenUri) {
        return ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, tokenUri,
                RunningSandbox.CLIENT_ID, RunningSandbox.CLIENT_SECRET, null, null, null, REQUEST_TIMEOUT, null, null,
                null, null, null));
    }

    private static String mintRefreshToken() throws Exception {
        return JSON.readTree(send("POST", "/sandbox/connections", null)).get(0).get("refreshToken").asString();
    }

    private static String send(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sandbox.url(path)).header("Content-Type",
                "application/json").method(method,
                        json == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isLessThan(300);
        return response.body();
    }
}
