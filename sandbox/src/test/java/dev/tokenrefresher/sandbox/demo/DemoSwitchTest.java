package dev.tokenrefresher.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.SandboxApplication;
import dev.tokenrefresher.sandbox.demo.RecordingScheduler.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

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
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper mapper = new ObjectMapper();

    private static RecordingScheduler scheduler;
    private static ConfigurableApplicationContext sandbox;
    private static URI baseUri;

    @BeforeAll
    static void startSchedulerAndSandbox() {
        scheduler = new RecordingScheduler(n -> n <= 2 ? Answer.problem(503, "starting") : Answer.created());
        sandbox = SandboxApplication.builder()
                .properties("server.port=0", "sandbox.access-token-lifetime=60s",
                        "sandbox.demo.connections=" + CONNECTIONS,
                        "sandbox.demo.register-url=" + scheduler.registerUrl(), "sandbox.demo.scheduler-wait=30s",
                        "sandbox.demo.headers.x-api-key=demo-key")
                .initializers(context -> ((GenericApplicationContext) context).registerBean(Clock.class,
                        () -> clock))
                .run();
        int port = ((WebServerApplicationContext) sandbox).getWebServer().getPort();
        baseUri = URI.create("http://localhost:" + port);
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
                        .asText()));
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

        assertThat(bodies).extracting(body -> body.get("tenantId").asText())
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, CONNECTIONS).mapToObj("demo-tenant-%04d"::formatted).toList());
        assertThat(bodies).allSatisfy(body -> {
            assertThat(fieldNames(body)).containsExactlyInAnyOrder("tenantId", "provider", "realmId", "accessToken",
                    "refreshToken", "expiresIn", "refreshTokenExpiresIn", "obtainedAt");
            assertThat(body.get("provider").asText()).isEqualTo("quickbooks");
            assertThat(body.get("realmId").asText()).startsWith("9130").hasSize(16);
            assertThat(body.get("accessToken").asText()).startsWith("sbx_at_");
            assertThat(body.get("refreshToken").asText()).startsWith("sbx_rt_");
            assertThat(body.get("expiresIn").asLong()).isEqualTo(60);
            assertThat(body.get("refreshTokenExpiresIn").asLong()).isEqualTo(Duration.ofDays(100).toSeconds());
            assertThat(body.get("obtainedAt").asText()).isEqualTo("2026-11-28T21:00:00Z");
        });
        assertThat(bodies).extracting(body -> body.get("realmId").asText())
                .containsExactlyInAnyOrderElementsOf(realmIdsInTheSandbox());
    }

    @Test
    void registeredRefreshTokenIsAcceptedByTheSandboxTokenEndpoint() {
        String refreshToken = scheduler.registered().get(CONNECTIONS / 2).get("refreshToken").asText();

        HttpResponse<String> response = send(HttpRequest.newBuilder(baseUri.resolve("/oauth2/v1/tokens/bearer"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("sandbox-client:sandbox-secret".getBytes(StandardCharsets.UTF_8)))
                .POST(BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
                        + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8))));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response.body()).get("access_token").asText()).startsWith("sbx_at_");
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
        HttpResponse<String> response = send(HttpRequest.newBuilder(baseUri.resolve("/sandbox/connections")));
        return StreamSupport.stream(json(response.body()).spliterator(), false)
                .map(report -> report.get("realmId").asText())
                .toList();
    }

    private static JsonNode demoStatus() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(baseUri.resolve("/sandbox/demo")));
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response.body());
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
}
