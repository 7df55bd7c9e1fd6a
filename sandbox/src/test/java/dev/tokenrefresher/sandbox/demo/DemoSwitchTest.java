package dev.tokenrefresher.sandbox.demo;

import static dev.tokenrefresher.sandbox.SandboxHttp.fieldNames;
import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.SandboxApplication;
import dev.tokenrefresher.sandbox.SandboxHttp;
import dev.tokenrefresher.sandbox.demo.RecordingScheduler.Answer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Starts the sandbox with the demo switched on, the way {@code java -jar sandbox.jar --sandbox.demo.connections=...}
 * would, against a stand-in scheduler that is not ready for its first two requests.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoSwitchTest {

    private static final int CONNECTIONS = 120;
    private static final Instant NOW = Instant.parse("2026-11-28T21:00:00Z");
    private static final Duration ALL_REGISTERED_WITHIN = Duration.ofSeconds(30);

    private static final MutableClock clock = new MutableClock(NOW);

    private static RecordingScheduler scheduler;
    private static ConfigurableApplicationContext sandbox;
    private static SandboxHttp http;

    @BeforeAll
    static void startSchedulerAndSandbox() {
        scheduler = new RecordingScheduler(n -> n <= 2 ? Answer.problem(503, "starting") : Answer.created());
        sandbox = SandboxHttp.start(clock, "sandbox.access-token-lifetime=60s",
                "sandbox.demo.connections=" + CONNECTIONS, "sandbox.demo.register-url=" + scheduler.registerUrl(),
                "sandbox.demo.scheduler-wait=30s", "sandbox.demo.headers.x-api-key=demo-key");
        http = SandboxHttp.on(sandbox);
    }

    @AfterAll
    static void stopSandboxAndScheduler() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
    }

    @BeforeEach
    void awaitTheDemoRun() {
        await().atMost(ALL_REGISTERED_WITHIN)
                .until(() -> !List.of("WAITING_FOR_SCHEDULER", "REGISTERING").contains(demoStatus().get("state")
                        .asString()));
    }

    @Test
    void everyDemoConnectionArrivesOnceTheSchedulerRecoversFromTwo503s() {
        List<Integer> statuses = scheduler.requests()
                .stream()
                .map(RecordingScheduler.Request::answeredStatus)
                .toList();

        assertThat(statuses).hasSize(CONNECTIONS + 2).startsWith(503, 503);
        assertThat(scheduler.registered()).hasSize(CONNECTIONS);
        assertThat(scheduler.requests()).allSatisfy(
                request -> assertThat(request.headers().getFirst("X-Api-Key")).isEqualTo("demo-key"));
    }

    @Test
    void registrationsCarryTheMintedTokensWithPaddedTenantIds() {
        List<JsonNode> bodies = scheduler.registered();

        assertThat(bodies).extracting(body -> body.get("tenantId").asString())
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, CONNECTIONS).mapToObj("demo-tenant-%04d"::formatted).toList());
        assertThat(bodies).allSatisfy(body -> {
            assertThat(fieldNames(body)).containsExactlyInAnyOrder("tenantId", "provider", "realmId", "accessToken",
                    "refreshToken", "expiresIn", "refreshTokenExpiresIn", "obtainedAt");
            assertThat(body.get("provider").asString()).isEqualTo("quickbooks");
            assertThat(body.get("realmId").asString()).startsWith("9130").hasSize(16);
            assertThat(body.get("accessToken").asString()).startsWith("sbx_at_");
            assertThat(body.get("refreshToken").asString()).startsWith("sbx_rt_");
            assertThat(body.get("expiresIn").asLong()).isEqualTo(60);
            assertThat(body.get("refreshTokenExpiresIn").asLong()).isEqualTo(Duration.ofDays(100).toSeconds());
            assertThat(body.get("obtainedAt").asString()).isEqualTo("2026-11-28T21:00:00Z");
        });
        assertThat(bodies).extracting(body -> body.get("realmId").asString())
                .containsExactlyInAnyOrderElementsOf(realmIdsInTheSandbox());
    }

    @Test
    void registeredRefreshTokenIsAcceptedByTheSandboxTokenEndpoint() {
        String refreshToken = scheduler.registered().get(CONNECTIONS / 2).get("refreshToken").asString();

        HttpResponse<String> response = http.refresh(refreshToken);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("access_token").asString()).startsWith("sbx_at_");
    }

    @Test
    void demoStatusReportsDone() {
        assertThat(demoStatus()).isEqualTo(json("""
                {"requested":120,"registered":120,"failed":0,"state":"DONE"}"""));
    }

    @Test
    void progressAndSummaryAreLoggedButNoToken(CapturedOutput output) {
        assertThat(output).contains("registered 50/120 demo connections", "registered 100/120 demo connections")
                .containsPattern("registered 120/120 demo connections in \\d")
                .doesNotContain("sbx_at_", "sbx_rt_");
    }

    @Test
    void demoSwitchedOnWithoutRegisterUrlStopsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> SandboxApplication.builder()
                .properties("server.port=0", "sandbox.demo.connections=3")
                .run()).rootCause().hasMessageContaining("sandbox.demo.register-url is required");
    }

    private static List<String> realmIdsInTheSandbox() {
        return StreamSupport.stream(json(http.get("/sandbox/connections")).spliterator(), false)
                .map(report -> report.get("realmId").asString())
                .toList();
    }

    private static JsonNode demoStatus() {
        HttpResponse<String> response = http.get("/sandbox/demo");
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response);
    }
}
