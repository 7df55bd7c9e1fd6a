package dev.tokenrefresher.sandbox.faults;

import static dev.tokenrefresher.sandbox.SandboxHttp.fieldNames;
import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static dev.tokenrefresher.sandbox.SandboxHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.SandboxHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Switches the token endpoint's faults on and off through the control API, over real HTTP, and checks what a client
 * gets. A controllable clock decides when an outage ends.
 */
@ExtendWith(OutputCaptureExtension.class)
class FaultsHttpApiTest {

    private static final String FAULTS = "/sandbox/faults";
    private static final String OUTAGE = "/sandbox/faults/outage";
    private static final String NO_FAULTS = """
            {"latencyMaxMillis":0,"errorRate":0.0,"errorStatuses":[500,502,503],"rateLimitRate":0.0,
             "retryAfterSeconds":1,"hangRate":0.0,"hangMillis":30000,"invalidClient":false,"seed":null,
             "outage":null}""";

    private static final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void startSandbox() {
        sandbox = SandboxHttp.start(clock);
        http = SandboxHttp.on(sandbox);
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    @BeforeEach
    void startWithoutFaults() {
        assertThat(http.delete(FAULTS).statusCode()).isEqualTo(200);
        assertThat(http.post("/sandbox/reset").statusCode()).isEqualTo(204);
    }

    @Test
    void faultedRefreshesLeaveTheRefreshTokenUsableForTheNextRefresh() {
        String refreshToken = http.mintOne().get("refreshToken").asString();

        List<Integer> faulted = List.of(
                refreshWith("{\"errorRate\":1,\"errorStatuses\":[503]}", refreshToken),
                refreshWith("{\"errorRate\":0,\"rateLimitRate\":1}", refreshToken),
                refreshWith("{\"rateLimitRate\":0,\"invalidClient\":true}", refreshToken),
                refreshWith("{\"invalidClient\":false,\"hangRate\":1,\"hangMillis\":10}", refreshToken));
        assertThat(http.postJson(OUTAGE, "{\"seconds\":5}").statusCode()).isEqualTo(200);
        int duringOutage = http.refresh(refreshToken).statusCode();
        assertThat(http.delete(FAULTS).statusCode()).isEqualTo(200);
        HttpResponse<String> refreshed = http.refresh(refreshToken);

        assertThat(faulted).containsExactly(503, 429, 401, 504);
        assertThat(duringOutage).isEqualTo(503);
        assertThat(refreshed.statusCode()).isEqualTo(200);
        String rotated = json(refreshed).get("refresh_token").asString();
        assertThat(rotated).isNotEqualTo(refreshToken);
        JsonNode report = json(http.get("/sandbox/connections")).get(0);
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        assertThat(report.get("invalidGrants").asLong()).isZero();
        assertThat(report.get("overlappingRefreshes").asLong()).isZero();
        assertThat(report.get("currentRefreshTokenSha256").asString()).isEqualTo(sha256(rotated));
        assertThat(http.refresh(refreshToken).statusCode()).as("the old token was rotated away").isEqualTo(400);
    }

    @Test
    void aBodyStalledAfterItsHeadersIsInFlightForItsConnectionSoARequestMeanwhileOverlaps() throws Exception {
        JsonNode minted = http.mintOne();
        String refreshToken = minted.get("refreshToken").asString();
        String report = "/sandbox/connections/" + minted.get("realmId").asString();
        assertThat(http.postJson("/sandbox/faults/next", "{\"requests\":1,\"stallBodyMillis\":1500}")
                .statusCode()).isEqualTo(200);

        CompletableFuture<HttpResponse<String>> stalled = http.sendAsync(http.refreshRequest(refreshToken));
        await().atMost(Duration.ofSeconds(10)).until(() -> json(http.get(report)).get("inFlight").asInt() == 1);
        HttpResponse<String> meanwhile = http.refresh(refreshToken);

        assertThat(meanwhile.statusCode()).isEqualTo(200);
        assertThat(stalled.get(10, TimeUnit.SECONDS).body()).doesNotContain("refresh_token");
        JsonNode counts = json(http.get(report));
        assertThat(counts.get("overlappingRefreshes").asLong()).isEqualTo(1);
        assertThat(counts.get("refreshes").asLong()).as("the stalled request rotated nothing").isEqualTo(1);
        assertThat(counts.get("invalidGrants").asLong()).isZero();
        assertThat(counts.get("inFlight").asInt()).isZero();
    }

    @Test
    void rateLimitedAnswerIs429WithRetryAfter() {
        http.putJson(FAULTS, "{\"rateLimitRate\":1.0,\"retryAfterSeconds\":7}");

        HttpResponse<String> response = http.refresh(http.mintOne().get("refreshToken").asString());

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("7");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"rate_limited\"}");
    }

    @Test
    void errorAnswersLikeAGatewayWithAStatusFromTheList() {
        http.putJson(FAULTS, "{\"errorRate\":1.0,\"errorStatuses\":[502]}");
        HttpResponse<String> html = http.refresh("sbx_rt_whatever");
        http.putJson(FAULTS, "{\"errorStatuses\":[500]}");
        HttpResponse<String> jsonError = http.refresh("sbx_rt_whatever");

        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(html.body()).contains("<title>502 Bad Gateway</title>");
        assertThat(jsonError.statusCode()).isEqualTo(500);
        assertThat(jsonError.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
    }

    @Test
    void hangingRequestMakesAClientWithAShortTimeoutTimeOutAndEndsWith504() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        http.putJson(FAULTS, "{\"hangRate\":1,\"hangMillis\":2000}");

        assertThatThrownBy(() -> http.send(http.refreshRequest(refreshToken), Duration.ofMillis(500)))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(HttpTimeoutException.class);
        // the sandbox answers once the hang is over, whether or not anyone still listens
        await().atMost(Duration.ofSeconds(10))
                .until(() -> http.stats().path("requestsByStatus").path("504").asLong() == 1);
        http.putJson(FAULTS, "{\"hangMillis\":50}");
        HttpResponse<String> patient = http.refresh(refreshToken);

        assertThat(patient.statusCode()).isEqualTo(504);
        assertThat(patient.body()).contains("504 Gateway Timeout");
        JsonNode stats = http.stats();
        assertThat(stats.get("faultsInjected").get("hang").asLong()).isEqualTo(2);
        assertThat(stats.get("inFlight").asInt()).isZero();
        assertThat(stats.get("refreshes").asLong()).isZero();
    }

    @Test
    void outageAnswersEveryRequestWithItsStatusUntilTheClockPassesItsEnd() {
        String refreshToken = http.mintOne().get("refreshToken").asString();

        HttpResponse<String> started = http.postJson(OUTAGE, "{\"seconds\":25}");
        List<Integer> during = IntStream.range(0, 3).mapToObj(i -> http.refresh(refreshToken).statusCode()).toList();
        JsonNode statsDuring = http.stats();
        clock.advance(Duration.ofSeconds(25));
        HttpResponse<String> after = http.refresh(refreshToken);

        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(json(started).get("outage")).isEqualTo(json("{\"status\":503,\"endsAt\":\""
                + clock.instant() + "\",\"secondsLeft\":25}"));
        assertThat(during).containsExactly(503, 503, 503);
        assertThat(statsDuring.get("requests").asLong()).isEqualTo(3);
        assertThat(statsDuring.get("faultsInjected").get("outage").asLong()).isEqualTo(3);
        assertThat(statsDuring.get("refreshes").asLong()).isZero();
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(json(http.get(FAULTS)).get("outage").isNull()).isTrue();
    }

    @Test
    void outageWithAStatusOfItsOwnCanBeEndedEarly() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        http.postJson(OUTAGE, "{\"seconds\":600,\"status\":502}");
        int during = http.refresh(refreshToken).statusCode();

        HttpResponse<String> ended = http.delete(OUTAGE);

        assertThat(during).isEqualTo(502);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(json(ended).get("outage").isNull()).isTrue();
        assertThat(http.refresh(refreshToken).statusCode()).isEqualTo(200);
    }

    @Test
    void getShowsEverySettingAndPutChangesOnlyTheFieldsGiven() {
        JsonNode before = json(http.get(FAULTS));

        HttpResponse<String> changed = http.putJson(FAULTS, "{\"errorRate\":0.25,\"latencyMaxMillis\":40,\"seed\":42}");

        // a seed set by an earlier test outlives the clear
        assertThat(withoutSeed(before)).isEqualTo(withoutSeed(json(NO_FAULTS)));
        assertThat(fieldNames(before)).containsExactly("latencyMaxMillis", "errorRate", "errorStatuses",
                "rateLimitRate", "retryAfterSeconds", "hangRate", "hangMillis", "invalidClient", "seed", "outage");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed)).isEqualTo(json(NO_FAULTS.replace("\"errorRate\":0.0", "\"errorRate\":0.25")
                .replace("\"latencyMaxMillis\":0", "\"latencyMaxMillis\":40")
                .replace("\"seed\":null", "\"seed\":42")));
        assertThat(json(http.get(FAULTS))).isEqualTo(json(changed));
    }

    @Test
    void outOfRangeOrUnknownFieldIsA400NamingItAndChangesNothing() {
        http.putJson(FAULTS, "{\"errorRate\":0.1}");
        JsonNode before = json(http.get(FAULTS));
        Map<String, String> refusedChanges = Map.of(
                "{\"errorRate\":1.5}", "errorRate",
                "{\"errorStatuses\":[500,600]}", "errorStatuses",
                "{\"hangMillis\":-1}", "hangMillis",
                "{\"rateLimitRate\":0.95}", "rateLimitRate",
                "{\"errorRatee\":0.5}", "errorRatee",
                "{\"errorRate\":\"lots\"}", "errorRate");
        Map<String, String> refusedOutages = Map.of(
                "{\"seconds\":0}", "seconds",
                "{\"status\":503}", "seconds",
                "{\"seconds\":5,\"status\":200}", "status");

        refusedChanges.forEach((body, field) -> {
            HttpResponse<String> response = http.putJson(FAULTS, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).get("detail").asString()).as(body).contains(field);
        });
        refusedOutages.forEach((body, field) -> {
            HttpResponse<String> response = http.postJson(OUTAGE, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).get("detail").asString()).as(body).contains(field);
        });
        assertThat(json(http.get(FAULTS))).isEqualTo(before);
    }

    @Test
    void deleteSwitchesEveryFaultOffAndKeepsTheSeed() {
        http.putJson(FAULTS, """
                {"latencyMaxMillis":5,"errorRate":0.5,"errorStatuses":[504],"rateLimitRate":0.5,
                 "retryAfterSeconds":9,"hangMillis":10,"invalidClient":true,"seed":7}""");
        http.postJson(OUTAGE, "{\"seconds\":60}");

        HttpResponse<String> cleared = http.delete(FAULTS);

        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(json(cleared)).isEqualTo(json(NO_FAULTS.replace("\"seed\":null", "\"seed\":7")));
        assertThat(http.refresh(http.mintOne().get("refreshToken").asString()).statusCode()).isEqualTo(200);
    }

    @Test
    void sameSeedGivesTheSameFaultsAgain() {
        http.putJson(FAULTS, "{\"errorRate\":0.5,\"seed\":42}");
        List<Integer> first = statusesOf(30);
        http.putJson(FAULTS, "{\"seed\":42}");

        assertThat(statusesOf(30)).isEqualTo(first);
        assertThat(first).contains(400).containsAnyOf(500, 502, 503);
    }

    @Test
    void statsCountEveryRequestWithFaultsByKindAndAnswersByStatus() {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        refreshWith("{\"errorRate\":1,\"errorStatuses\":[500]}", refreshToken);
        http.refresh(refreshToken);
        refreshWith("{\"errorRate\":0,\"rateLimitRate\":1}", refreshToken);
        refreshWith("{\"rateLimitRate\":0,\"invalidClient\":true}", refreshToken);
        http.delete(FAULTS);
        http.refresh(refreshToken);

        JsonNode stats = http.stats();

        assertThat(stats.get("requests").asLong()).isEqualTo(5);
        assertThat(stats.get("refreshes").asLong()).isEqualTo(1);
        assertThat(json(http.get("/sandbox/refreshes").body())).isEqualTo(json("{\"refreshes\":1}"));
        assertThat(stats.get("invalidClientAnswers").asLong()).isZero();
        assertThat(stats.get("faultsInjected")).isEqualTo(
                json("{\"error\":2,\"rateLimited\":1,\"hang\":0,\"outage\":0,\"invalidClient\":1}"));
        assertThat(stats.get("requestsByStatus")).isEqualTo(json("{\"200\":1,\"401\":1,\"429\":1,\"500\":2}"));
    }

    @Test
    void controlApiIsNeverFaulted() {
        http.putJson(FAULTS, "{\"errorRate\":1,\"invalidClient\":true,\"latencyMaxMillis\":5000}");
        http.postJson(OUTAGE, "{\"seconds\":60}");

        List<Integer> statuses = List.of(http.post("/sandbox/connections").statusCode(),
                http.get("/sandbox/connections").statusCode(), http.get("/sandbox/stats").statusCode(),
                http.get("/sandbox/refreshes").statusCode(),
                http.get("/sandbox/settings").statusCode(), http.get(FAULTS).statusCode(),
                http.get("/actuator/health").statusCode());

        assertThat(statuses).containsExactly(201, 200, 200, 200, 200, 200, 200);
        assertThat(http.stats().get("requests").asLong()).isZero();
    }

    @Test
    void faultChangesAreLoggedButNoToken(CapturedOutput output) {
        String refreshToken = http.mintOne().get("refreshToken").asString();
        refreshWith("{\"errorRate\":1}", refreshToken);
        http.postJson(OUTAGE, "{\"seconds\":30,\"status\":502}");
        http.refresh(refreshToken);

        assertThat(output).contains("Sandbox faults changed", "Outage: every token request answers 502 until")
                .doesNotContain("sbx_rt_", "sbx_at_");
    }

    private static JsonNode withoutSeed(JsonNode faults) {
        ObjectNode copy = (ObjectNode) faults.deepCopy();
        copy.remove("seed");
        return copy;
    }

    /** Changes the faults, then answers the status of one refresh. */
    private static int refreshWith(String faults, String refreshToken) {
        assertThat(http.putJson(FAULTS, faults).statusCode()).as(faults).isEqualTo(200);
        return http.refresh(refreshToken).statusCode();
    }

    /** Statuses of refreshes with a token the sandbox does not know: 400 when no fault is injected. */
    private static List<Integer> statusesOf(int refreshes) {
        return IntStream.range(0, refreshes).mapToObj(i -> http.refresh("sbx_rt_unknown").statusCode()).toList();
    }

    /** The tail faults: which connections hang or are slow, what their clients get, how they are counted. */
    @Nested
    class Tail {

        private static final String TAIL = "/sandbox/faults/tail";

        @Test
        void chosenConnectionsHangOnEveryOtherCallAndTheGroupsCountWhatTheyWentThrough() {
            Map<String, String> refreshTokens = new HashMap<>();
            IntStream.range(0, 8).mapToObj(i -> http.mintOne())
                    .forEach(minted -> refreshTokens.put(minted.get("realmId")
                            .asString(), minted.get("refreshToken").asString()));
            JsonNode view = json(
                    http.putJson(TAIL, "{\"hang\":{\"connectionShare\":0.5,\"everyCalls\":2,\"millis\":200}}"));
            List<String> hanging = view.get("groups").get("hang").get("realmIds").valueStream().map(JsonNode::asString)
                    .toList();

            Map<String, Integer> firstCalls = new HashMap<>();
            refreshTokens.forEach((realmId, token) -> firstCalls.put(realmId, http.refresh(token).statusCode()));
            Map<String, Integer> secondCalls = new HashMap<>();
            hanging.forEach(realmId -> secondCalls.put(realmId, http.refresh(refreshTokens.get(realmId)).statusCode()));

            // within one of half of 8, wherever the 8 fall in the order of minting
            assertThat(hanging).hasSizeBetween(3, 5);
            long hung = hanging.size();
            firstCalls.forEach((realmId, status) -> assertThat(status).as(realmId).isEqualTo(hanging.contains(realmId)
                    ? 504
                    : 200));
            assertThat(secondCalls.values()).containsOnly(200);
            JsonNode groups = json(http.get(TAIL)).get("groups");
            assertThat(counts(groups.get("hang"))).isEqualTo(List.of(hung, 2 * hung, hung, 0L, hung, 0L));
            assertThat(counts(groups.get("other"))).isEqualTo(List.of(8 - hung, 8 - hung, 0L, 0L, 8 - hung, 0L));
            assertThat(groups.get("other").get("realmIds").isNull()).isTrue();
            assertThat(json(http.get("/sandbox/connections/" + hanging.getFirst())).get("tailGroup").asString())
                    .isEqualTo("hang");
            assertThat(http.stats().get("faultsInjected").get("hang").asLong()).isEqualTo(hung);
        }

        @Test
        void slowConnectionsAnswerWithinTheirRange() {
            JsonNode minted = http.mintOne();
            http.putJson(TAIL, "{\"slow\":{\"connectionShare\":1,\"minMillis\":300,\"maxMillis\":400}}");

            long started = System.nanoTime();
            HttpResponse<String> answer = http.refresh(minted.get("refreshToken").asString());
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(millis).isBetween(300L, 3_000L);
            assertThat(counts(json(http.get(TAIL)).get("groups").get("slow"))).isEqualTo(List.of(1L, 1L, 0L, 1L, 1L,
                    0L));
        }

        @Test
        void aTailThatCannotBeIsA400NamingTheFieldAndChangesNothing() {
            http.putJson(TAIL, "{\"hang\":{\"connectionShare\":0.1,\"millis\":10}}");

            for (String body : List.of("{\"hang\":{\"connectionShare\":2,\"millis\":10}}",
                    "{\"hang\":{\"connectionShare\":0.1}}", "{\"hang\":{\"share\":0.1,\"millis\":10}}",
                    "{\"slow\":{\"connectionShare\":0.1,\"minMillis\":5,\"maxMillis\":1}}",
                    "{\"hang\":{\"connectionShare\":0.6,\"millis\":10},\"slow\":{\"connectionShare\":0.6,\"minMillis\":1,"
                            + "\"maxMillis\":2}}")) {
                HttpResponse<String> response = http.putJson(TAIL, body);

                assertThat(response.statusCode()).as(body).isEqualTo(400);
                assertThat(json(response).get("detail").asString()).as(body).containsAnyOf("hang.connectionShare",
                        "hang.millis", "unknown field share", "slow.minMillis");
            }
            assertThat(json(http.get(TAIL)).get("hang").get("connectionShare").asDouble()).isEqualTo(0.1);
        }

        @Test
        void clearingEveryFaultSwitchesTheTailOffToo() {
            http.putJson(TAIL, "{\"hang\":{\"connectionShare\":1,\"millis\":10},\"seed\":3}");

            http.delete("/sandbox/faults");

            JsonNode view = json(http.get(TAIL));
            assertThat(view.get("hang").isNull()).isTrue();
            assertThat(view.get("slow").isNull()).isTrue();
            assertThat(json(http.delete(TAIL)).get("seed").asLong()).isZero();
        }

        /** connections, calls, hungCalls, slowCalls, refreshes, refreshesAfterAccessExpiry. */
        private static List<Long> counts(JsonNode group) {
            return List.of("connections", "calls", "hungCalls", "slowCalls", "refreshes", "refreshesAfterAccessExpiry")
                    .stream().map(field -> group.get(field).asLong()).toList();
        }
    }
}
