package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.RunningSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The token endpoint client against the sandbox provider's real HTTP endpoint. */
class TokenEndpointClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningSandbox sandbox;
    private final TokenEndpointClient client = new TokenEndpointClient(JSON, Clock.systemUTC());

    @BeforeAll
    static void startSandbox() {
        sandbox = RunningSandbox.start("sandbox.access-token-lifetime=600s");
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @Test
    void refreshWithBasicAuthenticationReturnsRotatedTokensAndIntuitsLifetimes() throws Exception {
        JsonNode minted = mint();

        RefreshResult result = client.refresh(provider(ClientAuthentication.CLIENT_SECRET_BASIC,
                RunningSandbox.CLIENT_SECRET, Duration.ofSeconds(5)), minted.get("refreshToken").asString());

        assertThat(result).isInstanceOfSatisfying(RefreshResult.Granted.class, granted -> {
            assertThat(granted.grant().accessToken()).startsWith("sbx_at_");
            assertThat(granted.grant().refreshToken()).startsWith("sbx_rt_")
                    .isNotEqualTo(minted.get("refreshToken").asString());
            assertThat(granted.grant().accessTokenLifetime()).isEqualTo(Duration.ofSeconds(600));
            assertThat(granted.grant().refreshTokenLifetime()).isPositive();
            assertThat(granted.grant().refreshTokenHardLifetime()).as("the preset's opt-in header").isPositive();
        });
    }

    @Test
    void refreshWithPostAuthenticationWorksToo() throws Exception {
        RefreshResult result = client.refresh(provider(ClientAuthentication.CLIENT_SECRET_POST,
                RunningSandbox.CLIENT_SECRET, Duration.ofSeconds(5)), mint().get("refreshToken").asString());

        assertThat(result).isInstanceOf(RefreshResult.Granted.class);
    }

    @Test
    void rotatedAwayRefreshTokenIsReauthRequired() throws Exception {
        String refreshToken = mint().get("refreshToken").asString();
        ProviderSettings provider = provider(ClientAuthentication.CLIENT_SECRET_BASIC, RunningSandbox.CLIENT_SECRET,
                Duration.ofSeconds(5));
        client.refresh(provider, refreshToken);

        RefreshResult again = client.refresh(provider, refreshToken);

        assertThat(again).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.REAUTH_REQUIRED);
            assertThat(failed.errorCode()).isEqualTo("invalid_grant");
            assertThat(failed.httpStatus()).isEqualTo(400);
            assertThat(failed.detail()).doesNotContain(refreshToken);
        });
    }

    @Test
    void wrongClientSecretIsRejectedNotTransient() throws Exception {
        RefreshResult result = client.refresh(provider(ClientAuthentication.CLIENT_SECRET_BASIC, "wrong",
                Duration.ofSeconds(5)), mint().get("refreshToken").asString());

        assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.REJECTED);
            assertThat(failed.errorCode()).isEqualTo("invalid_client");
            assertThat(failed.httpStatus()).isEqualTo(401);
        });
    }

    @Test
    void unreachableEndpointIsATransientConnectionError() {
        ProviderSettings closedPort = new ProviderSettings("test", URI.create("http://127.0.0.1:9/token"), "id",
                "secret", ClientAuthentication.CLIENT_SECRET_BASIC, Duration.ofMinutes(1), 1, Duration.ofSeconds(2),
                Duration.ofHours(1), Map.of(), null, RevocationFormat.FORM,
                Duration.ZERO);

        RefreshResult result = client.refresh(closedPort, "any");

        assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
            assertThat(failed.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(failed.errorCode()).isEqualTo("connection_error");
        });
    }

    @Test
    void slowAnswerIsATransientTimeout() throws Exception {
        try (RunningSandbox slow = RunningSandbox.start("sandbox.latency=3s")) {
            JsonNode minted = mint(slow);
            ProviderSettings impatient = new ProviderSettings("test", slow.tokenUri(), RunningSandbox.CLIENT_ID,
                    RunningSandbox.CLIENT_SECRET, ClientAuthentication.CLIENT_SECRET_BASIC, Duration.ofMinutes(1), 1,
                    Duration.ofMillis(300), Duration.ofHours(1), Map.of(), null, RevocationFormat.FORM,
                    Duration.ZERO);

            RefreshResult result = client.refresh(impatient, minted.get("refreshToken").asString());

            assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
                assertThat(failed.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
                assertThat(failed.errorCode()).isEqualTo("timeout");
            });
        }
    }

    @Test
    void revocationInIntuitsJsonFormEndsTheChain() throws Exception {
        String refreshToken = mint().get("refreshToken").asString();
        ProviderSettings provider = revoking(ClientAuthentication.CLIENT_SECRET_BASIC, RunningSandbox.CLIENT_SECRET,
                RevocationFormat.JSON);
        assertThat(provider.revocationFormat()).as("QuickBooks' preset").isEqualTo(RevocationFormat.JSON);

        Revocation revocation = client.revoke(provider, refreshToken);

        assertThat(revocation.outcome()).isEqualTo(Revocation.Outcome.REVOKED);
        assertThat(client.refresh(provider, refreshToken)).isInstanceOfSatisfying(RefreshResult.Failed.class,
                failed -> assertThat(failed.errorCode()).isEqualTo("invalid_grant"));
    }

    @Test
    void revocationAsAnRfc7009FormWithPostAuthenticationWorksToo() throws Exception {
        String refreshToken = mint().get("refreshToken").asString();
        ProviderSettings provider = revoking(ClientAuthentication.CLIENT_SECRET_POST, RunningSandbox.CLIENT_SECRET,
                RevocationFormat.FORM);

        assertThat(client.revoke(provider, refreshToken).outcome()).isEqualTo(Revocation.Outcome.REVOKED);
        assertThat(client.refresh(provider, refreshToken)).isInstanceOf(RefreshResult.Failed.class);
    }

    @Test
    void revocationWithAWrongSecretFailsAndTheTokenStaysValid() throws Exception {
        String refreshToken = mint().get("refreshToken").asString();

        Revocation revocation = client.revoke(revoking(ClientAuthentication.CLIENT_SECRET_BASIC, "wrong",
                RevocationFormat.JSON), refreshToken);

        assertThat(revocation.outcome()).isEqualTo(Revocation.Outcome.FAILED);
        assertThat(revocation.detail()).contains("401").doesNotContain(refreshToken);
        assertThat(client.refresh(provider(ClientAuthentication.CLIENT_SECRET_BASIC, RunningSandbox.CLIENT_SECRET,
                Duration.ofSeconds(5)), refreshToken)).isInstanceOf(RefreshResult.Granted.class);
    }

    @Test
    void aProviderWithoutARevocationEndpointReportsNotSupported() {
        ProviderSettings generic = ProviderRegistry.resolve("generic", new ProviderProperties(null, sandbox
                .tokenUri(), RunningSandbox.CLIENT_ID, RunningSandbox.CLIENT_SECRET, null, null, null, null, null,
                null, null, null, null));

        Revocation revocation = client.revoke(generic, "sbx_rt_whatever");

        assertThat(revocation.outcome()).isEqualTo(Revocation.Outcome.NOT_SUPPORTED);
        assertThat(revocation.detail()).contains("generic", "revocation-uri");
    }

    private static ProviderSettings revoking(ClientAuthentication authentication, String secret,
            RevocationFormat format) {
        return ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, sandbox.tokenUri(),
                RunningSandbox.CLIENT_ID, secret, authentication, null, null, Duration.ofSeconds(5), null, null,
                sandbox.url("/v2/oauth2/tokens/revoke"), format == RevocationFormat.JSON ? null : format, null));
    }

    private static ProviderSettings provider(ClientAuthentication authentication, String secret, Duration timeout) {
        return ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, sandbox.tokenUri(),
                RunningSandbox.CLIENT_ID, secret, authentication, null, null, timeout, null, null, null, null, null));
    }

    @Test
    void aBodyThatStallsAfterTheHeadersEndsTheCallAtTheRequestTimeout() throws Exception {
        String refreshToken = mint().get("refreshToken").asString();
        // headers at once, then the body held 8 s: the JDK client's own timeout ends at the headers
        HttpResponse<String> fault = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sandbox.url(
                "/sandbox/faults/next")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                        .ofString("{\"requests\":1,\"stallBodyMillis\":8000}"))
                .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fault.statusCode()).as(fault.body()).isEqualTo(200);
        long started = System.nanoTime();

        RefreshResult result = client.refresh(provider(ClientAuthentication.CLIENT_SECRET_BASIC,
                RunningSandbox.CLIENT_SECRET, Duration.ofSeconds(2)), refreshToken);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> assertThat(failed
                .errorCode()).isEqualTo("timeout"));
    }

    /**
     * A timed-out exchange is dead on our side once the result is returned: its connection is closed (the provider
     * reads end-of-stream), not kept in the pool, so that the provider's quiet period can start. A bare socket stands
     * in for the provider.
     */
    @Nested
    class TimedOutExchange {

        @Test
        void withNoAnswerAtAllIsClosedAndMayStillRunAtTheProvider() throws Exception {
            assertClosedAfterTheTimeout(null);
        }

        @Test
        void withABodyStalledAfterTheHeadersIsClosedAndMayStillRunAtTheProvider() throws Exception {
            assertClosedAfterTheTimeout("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100"
                    + "\r\n\r\n{");
        }

        private void assertClosedAfterTheTimeout(String firstBytes) throws Exception {
            try (ExecutorService provider = Executors.newSingleThreadExecutor();
                    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Future<Integer> readAfterTheRequest = provider.submit(() -> {
                    try (Socket socket = server.accept()) {
                        socket.setSoTimeout(5_000);
                        InputStream in = socket.getInputStream();
                        readRequest(in);
                        if (firstBytes != null) {
                            socket.getOutputStream().write(firstBytes.getBytes(StandardCharsets.US_ASCII));
                            socket.getOutputStream().flush();
                        }
                        return in.read();
                    }
                });
                ProviderSettings held = ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, URI
                        .create("http://127.0.0.1:" + server.getLocalPort() + "/token"), "id", "secret", null, null,
                        null, Duration.ofMillis(500), null, null, null, null, null));

                RefreshResult result = client.refresh(held, "sbx_rt_held");

                assertThat(result).isInstanceOfSatisfying(RefreshResult.Failed.class, failed -> {
                    assertThat(failed.errorCode()).isEqualTo("timeout");
                    assertThat(failed.mayStillRun()).isTrue();
                });
                assertThat(readAfterTheRequest.get(1, TimeUnit.SECONDS)).as("the provider's read after the request")
                        .isEqualTo(-1);
            }
        }

        /** Reads the request's head and its body, as long as its {@code Content-Length} says. */
        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the request ended in its head");
                }
                head.append((char) b);
            }
            Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            if (length.find()) {
                in.readNBytes(Integer.parseInt(length.group(1)));
            }
        }
    }

    private static JsonNode mint() throws Exception {
        return mint(sandbox);
    }

    private static JsonNode mint(RunningSandbox target) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(target.url(
                "/sandbox/connections")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers
                        .ofString());
        return JSON.readTree(response.body()).get(0);
    }
}
