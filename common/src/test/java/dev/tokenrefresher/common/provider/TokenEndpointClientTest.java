package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.RunningSandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
                Duration.ofHours(1), Map.of(), null, RevocationFormat.FORM);

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
                    Duration.ofMillis(300), Duration.ofHours(1), Map.of(), null, RevocationFormat.FORM);

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
                null, null, null));

        Revocation revocation = client.revoke(generic, "sbx_rt_whatever");

        assertThat(revocation.outcome()).isEqualTo(Revocation.Outcome.NOT_SUPPORTED);
        assertThat(revocation.detail()).contains("generic", "revocation-uri");
    }

    private static ProviderSettings revoking(ClientAuthentication authentication, String secret,
            RevocationFormat format) {
        return ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, sandbox.tokenUri(),
                RunningSandbox.CLIENT_ID, secret, authentication, null, null, Duration.ofSeconds(5), null, null,
                sandbox.url("/v2/oauth2/tokens/revoke"), format == RevocationFormat.JSON ? null : format));
    }

    private static ProviderSettings provider(ClientAuthentication authentication, String secret, Duration timeout) {
        return ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, sandbox.tokenUri(),
                RunningSandbox.CLIENT_ID, secret, authentication, null, null, timeout, null, null, null, null));
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
