package dev.tokenrefresher.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Starts the sandbox the way other modules' tests do, through {@link SandboxApplication#builder()}, and talks to it
 * over real HTTP. A controllable clock replaces the system clock so expiry needs no waiting.
 */
class SandboxHttpApiTest {

    private static final String TOKEN_PATH = "/oauth2/v1/tokens/bearer";
    private static final String CLIENT_ID = "sandbox-client";
    private static final String CLIENT_SECRET = "sandbox-secret";

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper mapper = new ObjectMapper();

    private static ConfigurableApplicationContext sandbox;
    private static URI baseUri;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxApplication.builder()
                .properties("server.port=0", "sandbox.access-token-lifetime=8s")
                .initializers(context -> ((GenericApplicationContext) context).registerBean(Clock.class,
                        () -> clock))
                .run();
        int port = ((WebServerApplicationContext) sandbox).getWebServer().getPort();
        baseUri = URI.create("http://localhost:" + port);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void startFromScratch() {
        assertThat(send("POST", "/sandbox/reset", BodyPublishers.noBody()).statusCode()).isEqualTo(204);
        assertThat(putSettings("{\"accessTokenLifetimeSeconds\":8,\"rotateEvery\":1,\"latencyMillis\":0}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void refreshWithBasicAuthenticationAnswersIntuitShapedTokens() {
        JsonNode minted = mintOne();

        HttpResponse<String> response = refreshWithBasic(minted.get("refreshToken").asText());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode body = json(response);
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("token_type", "access_token", "expires_in",
                "refresh_token", "x_refresh_token_expires_in");
        assertThat(body.get("token_type").asText()).isEqualTo("bearer");
        assertThat(body.get("access_token").asText()).startsWith("sbx_at_");
        assertThat(body.get("expires_in").asLong()).isEqualTo(8);
        assertThat(body.get("refresh_token").asText()).startsWith("sbx_rt_")
                .isNotEqualTo(minted.get("refreshToken").asText());
        assertThat(body.get("x_refresh_token_expires_in").asLong()).isEqualTo(Duration.ofDays(100).toSeconds());
    }

    @Test
    void refreshWithClientSecretPostIsAcceptedToo() {
        String refreshToken = mintOne().get("refreshToken").asText();

        HttpResponse<String> response = tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                refreshToken, "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("refresh_token").asText()).startsWith("sbx_rt_");
    }

    @Test
    void wrongClientSecretIsAnswered401InvalidClient() {
        String refreshToken = mintOne().get("refreshToken").asText();

        HttpResponse<String> response = tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                refreshToken)), "Authorization", basic(CLIENT_ID, "wrong-secret"));
        HttpResponse<String> anonymous = tokenRequest(form(Map.of("grant_type", "refresh_token", "refresh_token",
                refreshToken)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"error\":\"invalid_client\"}");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(stats().get("invalidClientAnswers").asLong()).isEqualTo(2);
    }

    @Test
    void rotatedAwayRefreshTokenIsInvalidGrant() {
        String original = mintOne().get("refreshToken").asText();
        assertThat(refreshWithBasic(original).statusCode()).isEqualTo(200);

        HttpResponse<String> reuse = refreshWithBasic(original);

        assertThat(reuse.statusCode()).isEqualTo(400);
        JsonNode body = json(reuse);
        assertThat(body.get("error").asText()).isEqualTo("invalid_grant");
        assertThat(body.get("error_description").asText()).contains("rotated away");
        assertThat(reuse.body()).doesNotContain(original);
    }

    @Test
    void unknownRefreshTokenIsInvalidGrantCountedAsUnknown() {
        HttpResponse<String> response = refreshWithBasic("sbx_rt_never-issued");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(stats().get("unknownTokenGrants").asLong()).isEqualTo(1);
    }

    @Test
    void otherGrantTypeIsUnsupportedAndMissingRefreshTokenIsInvalidRequest() {
        HttpResponse<String> otherGrant = tokenRequest(form(Map.of("grant_type", "authorization_code", "code", "x")),
                "Authorization", basic(CLIENT_ID, CLIENT_SECRET));
        HttpResponse<String> noToken = tokenRequest(form(Map.of("grant_type", "refresh_token")), "Authorization",
                basic(CLIENT_ID, CLIENT_SECRET));

        assertThat(otherGrant.statusCode()).isEqualTo(400);
        assertThat(otherGrant.body()).isEqualTo("{\"error\":\"unsupported_grant_type\"}");
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(json(noToken).get("error").asText()).isEqualTo("invalid_request");
    }

    @Test
    void hardExpiryHeaderAddsSecondsUntilTheFiveYearCap() {
        String refreshToken = mintOne().get("refreshToken").asText();
        clock.advance(Duration.ofDays(1));

        HttpResponse<String> response = tokenRequest(refreshForm(refreshToken), "Authorization",
                basic(CLIENT_ID, CLIENT_SECRET), "x-include-refresh-token-hard-expires-in", "true");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("x_refresh_token_hard_expires_in").asLong())
                .isEqualTo(Duration.ofDays(5 * 365 - 1).toSeconds());
    }

    @Test
    void settingsChangeAppliesToTheNextRefresh() {
        String refreshToken = mintOne().get("refreshToken").asText();

        HttpResponse<String> changed = putSettings("{\"accessTokenLifetimeSeconds\":60,\"rotateEvery\":0}");
        HttpResponse<String> refreshed = refreshWithBasic(refreshToken);

        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed)).isEqualTo(
                json("{\"accessTokenLifetimeSeconds\":60,\"rotateEvery\":0,\"latencyMillis\":0}"));
        assertThat(json(send("GET", "/sandbox/settings", BodyPublishers.noBody()))).isEqualTo(json(changed));
        assertThat(json(refreshed).get("expires_in").asLong()).isEqualTo(60);
        assertThat(json(refreshed).get("refresh_token").asText()).isEqualTo(refreshToken);
    }

    @Test
    void negativeSettingIsRejectedNamingTheField() {
        HttpResponse<String> response = putSettings("{\"latencyMillis\":-5}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("latencyMillis");
        assertThat(json(send("GET", "/sandbox/settings", BodyPublishers.noBody())).get("latencyMillis").asLong())
                .isZero();
    }

    @Test
    void mintCountOutsideOneToTenThousandIsRejectedNamingTheParameter() {
        for (String count : List.of("0", "10001", "many")) {
            HttpResponse<String> response = send("POST", "/sandbox/connections?count=" + count,
                    BodyPublishers.noBody());

            assertThat(response.statusCode()).as("count=" + count).isEqualTo(400);
            assertThat(response.body()).as("count=" + count).contains("count");
        }
    }

    @Test
    void mintingAnswersCreatedWithTheFirstTokensOfEachConnection() {
        HttpResponse<String> response = send("POST", "/sandbox/connections?count=3", BodyPublishers.noBody());

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode minted = json(response);
        assertThat(minted).hasSize(3);
        assertThat(fieldNames(minted.get(0))).containsExactlyInAnyOrder("realmId", "accessToken", "refreshToken",
                "tokenType", "expiresIn", "xRefreshTokenExpiresIn");
        assertThat(minted.get(0).get("expiresIn").asLong()).isEqualTo(8);
        assertThat(json(send("GET", "/sandbox/connections", BodyPublishers.noBody()))).hasSize(3);
    }

    @Test
    void connectionReportCountsLateRefreshesAndShowsOnlyTheTokenHash() {
        JsonNode minted = mintOne();
        String realmId = minted.get("realmId").asText();
        clock.advance(Duration.ofSeconds(9));
        String current = json(refreshWithBasic(minted.get("refreshToken").asText())).get("refresh_token").asText();

        HttpResponse<String> response = send("GET", "/sandbox/connections/" + realmId, BodyPublishers.noBody());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("sbx_");
        JsonNode report = json(response);
        assertThat(fieldNames(report)).containsExactlyInAnyOrder("realmId", "refreshes", "overlappingRefreshes",
                "invalidGrants", "refreshesAfterAccessExpiry", "revoked", "accessTokenExpiresAt",
                "currentRefreshTokenSha256");
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        assertThat(report.get("refreshesAfterAccessExpiry").asLong()).isEqualTo(1);
        assertThat(report.get("accessTokenExpiresAt").asText()).isEqualTo(clock.instant().plusSeconds(8).toString());
        assertThat(report.get("currentRefreshTokenSha256").asText()).isEqualTo(sha256(current));
        assertThat(send("GET", "/sandbox/connections/9130000000000000", BodyPublishers.noBody()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void revokedConnectionRefusesItsRefreshToken() {
        JsonNode minted = mintOne();
        String realmId = minted.get("realmId").asText();

        HttpResponse<String> revoke = send("POST", "/sandbox/connections/" + realmId + "/revoke",
                BodyPublishers.noBody());
        HttpResponse<String> refresh = refreshWithBasic(minted.get("refreshToken").asText());

        assertThat(revoke.statusCode()).isEqualTo(204);
        assertThat(refresh.statusCode()).isEqualTo(400);
        assertThat(json(refresh).get("error_description").asText()).contains("revoked");
        assertThat(json(send("GET", "/sandbox/connections/" + realmId, BodyPublishers.noBody())).get("revoked")
                .asBoolean()).isTrue();
        assertThat(send("POST", "/sandbox/connections/9130000000000000/revoke", BodyPublishers.noBody())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void requestArrivingDuringAnotherOneForTheSameConnectionIsCountedAsOverlap() {
        String refreshToken = mintOne().get("refreshToken").asText();
        putSettings("{\"latencyMillis\":1000}");

        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                tokenRequestBuilder(refreshForm(refreshToken), "Authorization", basic(CLIENT_ID, CLIENT_SECRET))
                        .build(),
                BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> stats().get("inFlight").asInt() == 1);
        HttpResponse<String> second = refreshWithBasic(refreshToken);

        assertThat(List.of(first.join().statusCode(), second.statusCode())).containsExactlyInAnyOrder(200, 400);
        JsonNode stats = stats();
        assertThat(stats.get("overlappingRefreshes").asLong()).isEqualTo(1);
        assertThat(stats.get("refreshes").asLong()).isEqualTo(1);
        assertThat(stats.get("invalidGrants").asLong()).isEqualTo(1);
        assertThat(stats.get("inFlight").asLong()).isZero();
    }

    @Test
    void statsAddUpEveryKindOfAnswerAndResetForgetsThem() {
        String refreshToken = mintOne().get("refreshToken").asText();
        refreshWithBasic(refreshToken);
        refreshWithBasic(refreshToken);
        refreshWithBasic("sbx_rt_never-issued");

        JsonNode stats = stats();
        send("POST", "/sandbox/reset", BodyPublishers.noBody());

        assertThat(stats).isEqualTo(json("""
                {"connections":1,"requests":3,"refreshes":1,"overlappingRefreshes":0,"invalidGrants":2,
                 "unknownTokenGrants":1,"refreshesAfterAccessExpiry":0,"invalidClientAnswers":0,"inFlight":0}"""));
        assertThat(stats().get("connections").asInt()).isZero();
        assertThat(stats().get("requests").asInt()).isZero();
    }

    @Test
    void healthEndpointIsUp() {
        HttpResponse<String> response = send("GET", "/actuator/health", BodyPublishers.noBody());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void sandboxShipsNoApplicationConfigThatCouldLeakIntoOtherApplications() {
        ClassLoader classLoader = SandboxApplication.class.getClassLoader();

        assertThat(List.of("application.yml", "application.yaml", "application.properties"))
                .allSatisfy(name -> assertThat(classLoader.getResource(name)).as(name).isNull());
    }

    private static JsonNode mintOne() {
        HttpResponse<String> response = send("POST", "/sandbox/connections", BodyPublishers.noBody());
        assertThat(response.statusCode()).isEqualTo(201);
        return json(response).get(0);
    }

    private static JsonNode stats() {
        return json(send("GET", "/sandbox/stats", BodyPublishers.noBody()));
    }

    private static HttpResponse<String> putSettings(String body) {
        return send(HttpRequest.newBuilder(baseUri.resolve("/sandbox/settings"))
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> refreshWithBasic(String refreshToken) {
        return tokenRequest(refreshForm(refreshToken), "Authorization", basic(CLIENT_ID, CLIENT_SECRET));
    }

    private static String refreshForm(String refreshToken) {
        return form(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    private static HttpResponse<String> tokenRequest(String form, String... headers) {
        return send(tokenRequestBuilder(form, headers));
    }

    private static HttpRequest.Builder tokenRequestBuilder(String form, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri.resolve(TOKEN_PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static HttpResponse<String> send(String method, String path, BodyPublisher body) {
        return send(HttpRequest.newBuilder(baseUri.resolve(path)).method(method, body));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet()
                .stream()
                .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String basic(String clientId, String clientSecret) {
        String userInfo = encode(clientId) + ":" + encode(clientSecret);
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    private static JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
