package dev.tokenrefresher.sandbox.faults;

import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static dev.tokenrefresher.sandbox.SandboxHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.SandboxHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Faults after the rotation ({@code POST /sandbox/faults/after-rotation}), over real HTTP: the refresh is granted, the
 * presented refresh token is spent, and the answer with the new one never arrives whole.
 */
class AfterRotationFaultsHttpTest {

    private static final String AFTER_ROTATION = "/sandbox/faults/after-rotation";
    private static final String INVALID_GRANT = "invalid_grant";

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
        assertThat(http.delete("/sandbox/faults").statusCode()).isEqualTo(200);
        assertThat(http.post("/sandbox/reset").statusCode()).isEqualTo(204);
    }

    @Nested
    class EachKind {

        @Test
        void resetClosesTheConnectionWithoutAnAnswerAfterRotating() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"reset\"}");

            assertThatThrownBy(() -> http.refresh(refreshToken(minted))).isInstanceOf(UncheckedIOException.class);

            assertRotatedAndSpent(minted);
            assertThat(http.stats().get("faultsAfterRotation")).isEqualTo(json(
                    "{\"reset\":1,\"serverError\":0,\"truncated\":0,\"stall\":0}"));
        }

        @Test
        void serverErrorAnswers500WithoutATokenAfterRotating() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"server_error\"}");

            HttpResponse<String> answer = http.refresh(refreshToken(minted));

            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(answer.body()).doesNotContain("sbx_rt_");
            assertRotatedAndSpent(minted);
            assertThat(http.stats().get("requestsByStatus")).isEqualTo(json("{\"400\":1,\"500\":1}"));
        }

        @Test
        void truncatedAnswers200WithJsonCutBeforeTheRefreshToken() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"truncated\"}");

            HttpResponse<String> answer = http.refresh(refreshToken(minted));

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).startsWith("{\"token_type\":\"bearer\"").doesNotContain("refresh_token")
                    .doesNotContain("sbx_rt_");
            assertThatThrownBy(() -> json(answer)).isInstanceOf(RuntimeException.class);
            assertRotatedAndSpent(minted);
        }

        @Test
        void stallSends200HeadersHoldsTheBodyThenCutsTheConnection() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"stall\",\"stallMillis\":400}");
            long started = System.nanoTime();

            assertThatThrownBy(() -> http.refresh(refreshToken(minted))).isInstanceOf(UncheckedIOException.class);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertRotatedAndSpent(minted);
            assertThat(http.stats().get("faultsAfterRotation").get("stall").asLong()).isEqualTo(1);
        }
    }

    @Nested
    class Targets {

        @Test
        void faultForTheNextCallsHitsThatManyGrantsThenAnswersNormally() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"server_error\",\"calls\":2}");
            http.mintOne();

            assertThat(http.refresh(refreshToken(http.mintOne())).statusCode()).isEqualTo(500);
            assertThat(http.refresh(refreshToken(http.mintOne())).statusCode()).isEqualTo(500);
            assertThat(http.refresh(refreshToken(minted)).statusCode()).isEqualTo(200);
        }

        @Test
        void faultForOneConnectionLeavesTheOthersAlone() {
            JsonNode target = http.mintOne();
            JsonNode other = http.mintOne();
            inject("{\"kind\":\"server_error\",\"realmId\":\"" + target.get("realmId").asString() + "\"}");

            assertThat(http.refresh(refreshToken(other)).statusCode()).isEqualTo(200);
            assertThat(http.refresh(refreshToken(target)).statusCode()).isEqualTo(500);
            assertThat(http.stats().get("faultsAfterRotation").get("serverError").asLong()).isEqualTo(1);
        }

        @Test
        void refusedRefreshDoesNotUseTheFaultUp() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"server_error\"}");

            assertThat(http.refresh("sbx_rt_never-issued").statusCode()).isEqualTo(400);
            assertThat(http.refresh(refreshToken(minted)).statusCode()).isEqualTo(500);
        }

        @Test
        void deletingTheFaultsDropsPendingOnes() {
            JsonNode minted = http.mintOne();
            inject("{\"kind\":\"reset\",\"calls\":5}");

            http.delete("/sandbox/faults");

            assertThat(http.refresh(refreshToken(minted)).statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class Validation {

        @Test
        void missingOrUnknownKindIsA400NamingIt() {
            assertBadRequest("{}", "kind is required");
            assertBadRequest("{\"kind\":\"explode\"}", "kind must be one of [reset, server_error, truncated, stall]");
        }

        @Test
        void callsOutOfRangeIsA400NamingIt() {
            assertBadRequest("{\"kind\":\"reset\",\"calls\":0}", "calls must be between 1 and 1000");
            assertBadRequest("{\"kind\":\"reset\",\"calls\":1001}", "calls must be between 1 and 1000");
        }

        @Test
        void stallNeedsStallMillisAndOnlyStallTakesIt() {
            assertBadRequest("{\"kind\":\"stall\"}", "stallMillis is required for kind stall");
            assertBadRequest("{\"kind\":\"stall\",\"stallMillis\":86400001}", "stallMillis must be between");
            assertBadRequest("{\"kind\":\"reset\",\"stallMillis\":10}", "stallMillis applies to kind stall only");
        }

        @Test
        void unknownRealmOrFieldIsA400NamingIt() {
            assertBadRequest("{\"kind\":\"reset\",\"realmId\":\"9130000000000000\"}", "realmId names no connection");
            assertBadRequest("{\"kind\":\"reset\",\"realm\":\"x\"}", "unknown field realm");
        }

        private void assertBadRequest(String body, String detail) {
            HttpResponse<String> answer = http.postJson(AFTER_ROTATION, body);
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(json(answer).get("detail").asString()).contains(detail);
        }
    }

    private static void inject(String body) {
        assertThat(http.postJson(AFTER_ROTATION, body).statusCode()).isEqualTo(200);
    }

    private static String refreshToken(JsonNode minted) {
        return minted.get("refreshToken").asString();
    }

    /** The refresh happened: the sandbox holds a new refresh token, and the presented one is refused from now on. */
    private static void assertRotatedAndSpent(JsonNode minted) {
        JsonNode report = json(http.get("/sandbox/connections/" + minted.get("realmId").asString()));
        assertThat(report.get("refreshes").asLong()).isEqualTo(1);
        assertThat(report.get("currentRefreshTokenSha256").asString()).isNotEqualTo(sha256(refreshToken(minted)));
        HttpResponse<String> reuse = http.refresh(refreshToken(minted));
        assertThat(reuse.statusCode()).isEqualTo(400);
        assertThat(json(reuse).get("error").asString()).isEqualTo(INVALID_GRANT);
    }
}
