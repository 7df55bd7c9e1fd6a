package dev.tokenrefresher.sandbox;

import static dev.tokenrefresher.sandbox.SandboxHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * One connection's answer delay over real HTTP: its granted answers are held after the rotation, other connections'
 * are not, and the run-time default applies again with {@code null}.
 */
class AnswerDelayHttpTest {

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

    @Test
    void onlyTheConnectionsOwnAnswersAreHeld() {
        JsonNode held = http.mintOne();
        JsonNode other = http.mintOne();
        HttpResponse<String> changed = http.putJson(path(held), "{\"millis\":600}");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(json(changed).get("answerDelayMillis").asLong()).isEqualTo(600);

        long started = System.nanoTime();
        assertThat(http.refresh(held.get("refreshToken").asString()).statusCode()).isEqualTo(200);
        Duration heldFor = Duration.ofNanos(System.nanoTime() - started);
        started = System.nanoTime();
        assertThat(http.refresh(other.get("refreshToken").asString()).statusCode()).isEqualTo(200);
        Duration otherFor = Duration.ofNanos(System.nanoTime() - started);

        assertThat(heldFor).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(otherFor).isLessThan(Duration.ofMillis(600));
        assertThat(json(http.get("/sandbox/connections/" + other.get("realmId").asString())).get(
                "answerDelayMillis").asLong()).isZero();
        assertThat(json(http.putJson(path(held), "{\"millis\":null}")).get("answerDelayMillis").asLong()).isZero();
    }

    @Test
    void badDelayIsA400NamingTheFieldAndAnUnknownRealmA404() {
        HttpResponse<String> negative = http.putJson(path(http.mintOne()), "{\"millis\":-1}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(json(negative).get("detail").asString()).contains("millis");
        assertThat(http.putJson("/sandbox/connections/9130000000000000/answer-delay", "{\"millis\":5}").statusCode())
                .isEqualTo(404);
    }

    private static String path(JsonNode minted) {
        return "/sandbox/connections/" + minted.get("realmId").asString() + "/answer-delay";
    }
}
