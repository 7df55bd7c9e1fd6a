package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Host apps read access tokens valid for at least a given time; refreshes on demand are single-flight. */
class AccessTokenApiTest extends SchedulerApiTestBase {

    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    RefreshOutcomes outcomes;

    @Test
    void aTokenFreshEnoughIsReturnedWithoutCallingTheProvider() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 3000);
        long before = sandboxRefreshes();

        Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("accessToken").asString()).isEqualTo(minted.accessToken());
        assertThat(response.body().get("tokenType").asString()).isEqualTo("Bearer");
        assertThat(response.body().get("realmId").asString()).isEqualTo(minted.realmId());
        assertThat(response.body().get("refreshed").asBoolean()).isFalse();
        assertThat(response.headers().firstValue("Cache-Control")).hasValueSatisfying(value -> assertThat(value)
                .contains("no-store"));
        assertThat(sandboxRefreshes()).isEqualTo(before);
    }

    @Test
    void fiftyConcurrentCallsForATokenAboutToExpireCauseOneProviderCall() throws Exception {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 60);
        long before = sandboxRefreshes();
        long fenceBefore = get("/api/connections/" + id, ADMIN_KEY).body().get("refreshFence").asLong();

        List<Response> responses = new ArrayList<>();
        try (ExecutorService callers = Executors.newFixedThreadPool(50)) {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(() -> get("/api/connections/" + id + "/access-token", READER_KEY));
            }
            for (Future<Response> result : callers.invokeAll(calls)) {
                responses.add(result.get());
            }
        }

        assertThat(sandboxRefreshes() - before).isEqualTo(1);
        assertThat(responses).extracting(Response::status).containsOnly(200);
        List<String> tokens = responses.stream().map(r -> r.body().get("accessToken").asString()).distinct().toList();
        assertThat(tokens).hasSize(1).doesNotContain(minted.accessToken());
        Instant expiresAt = Instant.parse(responses.getFirst().body().get("expiresAt").asString());
        assertThat(expiresAt).isAfter(Instant.now().plus(Duration.ofMinutes(5)));
        assertThat(responses).filteredOn(r -> r.body().get("refreshed").asBoolean()).hasSize(1);
        // The chain moved on: the refresh stored a new fence and published the next message with it.
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("refreshFence").asLong())
                .isEqualTo(fenceBefore + 1);
    }

    @Test
    void aCallerMayAskForMoreValidityThanTheDefault() {
        UUID id = register(PROVIDER, mint(), 600);
        long before = sandboxRefreshes();

        assertThat(get("/api/connections/" + id + "/access-token", READER_KEY).body().get("refreshed").asBoolean())
                .isFalse();
        Response longer = get("/api/connections/" + id + "/access-token?minValiditySeconds=1200", READER_KEY);

        assertThat(longer.status()).isEqualTo(200);
        assertThat(longer.body().get("refreshed").asBoolean()).isTrue();
        assertThat(sandboxRefreshes() - before).isEqualTo(1);
    }

    @Test
    void askingForMoreValidityThanTheProvidersTokensHaveIsABadRequest() {
        UUID id = register(PROVIDER, mint(), 60);

        Response response = get("/api/connections/" + id + "/access-token?minValiditySeconds=7200", READER_KEY);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("errors").findValuesAsString("field")).containsExactly("minValiditySeconds");
    }

    @Test
    void invalidMinValidityIsNamed() {
        UUID id = UUID.randomUUID();
        for (String value : List.of("-1", "999999", "soon")) {
            Response response = get("/api/connections/" + id + "/access-token?minValiditySeconds=" + value,
                    READER_KEY);
            assertThat(response.status()).as(value).isEqualTo(400);
            assertThat(response.body().get("errors").findValuesAsString("field")).containsExactly(
                    "minValiditySeconds");
        }
    }

    @Test
    void aRevokedRefreshTokenEndsTheChainWith409() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 60);
        revokeAtProvider(minted);

        Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.body().get("status").asString()).isEqualTo("REAUTH_REQUIRED");
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("status").asString())
                .isEqualTo("REAUTH_REQUIRED");
        assertThat(get("/api/connections/" + id + "/access-token", READER_KEY).status()).isEqualTo(409);
    }

    @Test
    void aConnectionWhoseIssuedTokensAreParkedIsNotRefreshedWithTheTokenTheyReplaced() {
        UUID id = register(PROVIDER, mint(), 60);
        long fence = get("/api/connections/" + id, ADMIN_KEY).body().get("refreshFence").asLong();
        Claim claim = ((ClaimResult.Claimed) claims.claim(id, fence, "worker-1", Duration.ofMinutes(2))).claim();
        // the worker's store was refused, its tokens handed off, and a drain refused too: parked and held
        assertThat(outcomes.holdForParkedTokens(claim, "store_refused: 22008", Instant.now())).isPresent();
        long before = sandboxRefreshes();

        Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body().get("errorCode").asString()).isEqualTo("store_refused");
        assertThat(sandboxRefreshes()).isEqualTo(before);
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("lastError").asString()).isEqualTo(
                "store_refused: 22008");
    }

    @Test
    void aFailingProviderGives503WithRetryAfterAndBadClientCredentials502() throws Exception {
        UUID id = register(PROVIDER, mint(), 60);
        try {
            sandboxFaults("{\"errorRate\":0,\"rateLimitRate\":1,\"retryAfterSeconds\":7}");
            Response limited = get("/api/connections/" + id + "/access-token", READER_KEY);
            assertThat(limited.status()).isEqualTo(503);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(limited.body().get("errorCode").asString()).isEqualTo("http_429");

            sandboxFaults("{\"rateLimitRate\":0,\"invalidClient\":true}");
            Response rejected = get("/api/connections/" + id + "/access-token", READER_KEY);
            assertThat(rejected.status()).isEqualTo(502);
            assertThat(rejected.body().get("errorCode").asString()).isEqualTo("invalid_client");
        } finally {
            sandboxFaults("{\"rateLimitRate\":0,\"invalidClient\":false}");
        }
        // The chain is intact: once the provider is well, the token is refreshed.
        Response healed = get("/api/connections/" + id + "/access-token", READER_KEY);
        assertThat(healed.status()).isEqualTo(200);
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void validityNoTokenOfTheProviderCouldHaveIsRefusedBeforeTheProviderIsCalled() {
        UUID id = register(PROVIDER, shortLived(mint(), 60), 50);
        long before = sandboxRefreshes();

        Response longer = get("/api/connections/" + id + "/access-token?minValiditySeconds=120", READER_KEY);
        Response whole = get("/api/connections/" + id + "/access-token?minValiditySeconds=60", READER_KEY);

        assertThat(longer.status()).isEqualTo(400);
        assertThat(longer.body().get("errors").findValuesAsString("field")).containsExactly("minValiditySeconds");
        assertThat(whole.status()).isEqualTo(400);
        assertThat(sandboxRefreshes()).isEqualTo(before);
    }

    @Test
    void aFreshTokenThatStillFallsShortIsAnsweredAfterOneRefreshNotRefreshedAgain() {
        UUID id = register(PROVIDER, shortLived(mint(), 60), 5);
        // the provider issues 60-s tokens and takes 1.5 s to answer: a fresh token has 58.5 s left when it arrives
        sandboxControl("PUT", "/sandbox/settings", "{\"accessTokenLifetimeSeconds\":60,\"latencyMillis\":1500}");
        try {
            long before = sandboxRefreshes();

            Response response = get("/api/connections/" + id + "/access-token?minValiditySeconds=59", READER_KEY);

            assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
            assertThat(response.body().get("refreshed").asBoolean()).isTrue();
            assertThat(response.body().get("minValidityMet").asBoolean()).isFalse();
            assertThat(sandboxRefreshes() - before).isEqualTo(1);
        } finally {
            sandboxControl("PUT", "/sandbox/settings", "{\"accessTokenLifetimeSeconds\":3600,\"latencyMillis\":0}");
        }
    }

    @Test
    void theDefaultValidityForShortLivedTokensIsHalfTheirLifeSoAFreshTokenIsNotRefreshed() {
        UUID id = register(PROVIDER, shortLived(mint(), 60), 40);
        long before = sandboxRefreshes();

        Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        assertThat(response.body().get("refreshed").asBoolean()).isFalse();
        assertThat(response.body().get("minValidityMet").asBoolean()).isTrue();
        assertThat(sandboxRefreshes()).isEqualTo(before);
    }

    @Test
    void aTransientProviderFailureIsRetriedWithinTheCall() {
        UUID id = register(PROVIDER, mint(), 10);
        long requestsBefore = sandbox("/sandbox/stats").get("requests").asLong();
        sandboxControl("POST", "/sandbox/faults/next", "{\"requests\":1,\"status\":503}");

        Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        assertThat(response.body().get("refreshed").asBoolean()).isTrue();
        assertThat(sandbox("/sandbox/stats").get("requests").asLong() - requestsBefore).isEqualTo(2);
        assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("recentAttempts").findValuesAsString(
                "outcome")).containsExactly("REFRESHED", "TRANSIENT_FAILURE");
    }

    @Test
    void aRefreshThatLandsAfterADisconnectIsRecordedAsDisconnected() throws Exception {
        UUID id = register(PROVIDER, mint(), 10);
        sandboxControl("PUT", "/sandbox/settings", "{\"latencyMillis\":3000}");
        try (ExecutorService caller = Executors.newSingleThreadExecutor()) {
            long requestsBefore = sandbox("/sandbox/stats").get("requests").asLong();
            Future<Response> call = caller.submit(() -> get("/api/connections/" + id + "/access-token",
                    READER_KEY));
            // the provider has the request (and will rotate the token) when the host app disconnects the tenant
            await().atMost(Duration.ofSeconds(10)).until(() -> sandbox("/sandbox/stats").get("requests")
                    .asLong() > requestsBefore);
            assertThat(delete("/api/connections/" + id, ADMIN_KEY).status()).isEqualTo(200);

            Response response = call.get(30, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.body().get("status").asString()).isEqualTo("DISCONNECTED");
            assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("recentAttempts").get(0).get("outcome")
                    .asString()).isEqualTo("DISCONNECTED");
        } finally {
            sandboxControl("PUT", "/sandbox/settings", "{\"latencyMillis\":0}");
        }
    }

    @Test
    void aRotatedRefreshTokenInAnOddAnswerIsStoredSoTheChainGoesOn() throws Exception {
        for (String shape : List.of("EXPIRES_IN_DECIMAL", "EXPIRES_IN_TEXT", "EXPIRES_IN_ZERO", "EXPIRES_IN_HUGE",
                "NO_ACCESS_TOKEN", "REFRESH_LIFETIME_DECIMAL", "OVERSIZED")) {
            Minted minted = mint();
            UUID id = register(PROVIDER, minted, 10);
            // the sandbox rotates first, then answers oddly: the old refresh token is spent either way
            sandboxControl("POST", "/sandbox/faults/odd-answers", "{\"shapes\":[\"" + shape + "\"]}");

            Response response = get("/api/connections/" + id + "/access-token", READER_KEY);

            JsonNode report = sandbox("/sandbox/connections/" + minted.realmId());
            assertThat(report.get("refreshes").asLong()).as(shape).isEqualTo(1);
            assertThat(sha256(store.tokens(id).orElseThrow().refreshToken())).as(shape).isEqualTo(report.get(
                    "currentRefreshTokenSha256").asString());
            assertThat(get("/api/connections/" + id, ADMIN_KEY).body().get("status").asString()).as(shape)
                    .isEqualTo("ACTIVE");
            if (shape.equals("NO_ACCESS_TOKEN")) {
                assertThat(response.status()).isEqualTo(503);
                assertThat(response.body().get("errorCode").asString()).isEqualTo("odd_answer");
            } else {
                assertThat(response.status()).as(shape + ": " + response.body()).isEqualTo(200);
                assertThat(response.body().get("refreshed").asBoolean()).as(shape).isTrue();
            }
            // a whole number written as a decimal is read as that number; everything else is recorded as odd
            JsonNode attemptError = get("/api/connections/" + id, ADMIN_KEY).body().at("/recentAttempts/0/errorCode");
            if (shape.equals("EXPIRES_IN_DECIMAL")) {
                assertThat(attemptError.isNull()).as(shape).isTrue();
            } else {
                assertThat(attemptError.asString()).as(shape).startsWith("odd:");
            }
        }
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void aDisconnectWithRevokeAfterTheProviderRotatedAlsoRevokesTheTokenTheLateAnswerCarries() throws Exception {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 10);
        // the provider rotates at once and holds its answer 3 s: the dangerous moment, between rotation and store;
        // it knows only the token in force, so revoking a spent one does nothing (as at a strict provider)
        sandboxControl("PUT", "/sandbox/settings", "{\"answerDelayMillis\":3000,\"spentTokenRevokes\":false}");
        try (ExecutorService caller = Executors.newSingleThreadExecutor()) {
            Future<Response> call = caller.submit(() -> get("/api/connections/" + id + "/access-token",
                    READER_KEY));
            await().atMost(Duration.ofSeconds(10)).until(() -> sandbox("/sandbox/connections/" + minted.realmId())
                    .get("refreshes").asLong() == 1);
            // the row still holds the spent token: revoking it has no effect at a strictly rotating provider
            Response disconnected = delete("/api/connections/" + id + "?revoke=true", ADMIN_KEY);
            assertThat(disconnected.status()).isEqualTo(200);
            assertThat(sandbox("/sandbox/connections/" + minted.realmId()).get("revoked").asBoolean()).isFalse();

            assertThat(call.get(30, TimeUnit.SECONDS).status()).isEqualTo(409);

            // the answer that landed after the disconnect had its refresh token revoked: nothing stays valid
            assertThat(sandbox("/sandbox/connections/" + minted.realmId()).get("revoked").asBoolean()).isTrue();
            assertThat(get("/api/connections/" + id, ADMIN_KEY).body().at("/recentAttempts/0/outcome").asString())
                    .isEqualTo("DISCONNECTED");
        } finally {
            sandboxControl("PUT", "/sandbox/settings", "{\"answerDelayMillis\":0,\"spentTokenRevokes\":true}");
        }
    }

    /** The minted connection as if its provider issued tokens that live {@code seconds}. */
    private static Minted shortLived(Minted minted, long seconds) {
        return new Minted(minted.realmId(), minted.accessToken(), minted.refreshToken(), seconds, minted
                .refreshTokenExpiresIn());
    }

    private static void sandboxFaults(String json) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SANDBOX
                .url("/sandbox/faults").toString())).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
