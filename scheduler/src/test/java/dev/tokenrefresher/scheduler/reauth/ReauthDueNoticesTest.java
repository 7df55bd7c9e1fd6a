package dev.tokenrefresher.scheduler.reauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.scheduler.EventSubscription;
import dev.tokenrefresher.scheduler.SchedulerApiTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue 22 point 3: host apps hear ahead of time which tenants must reconnect. Connections registered with Intuit's
 * hard cap ({@code refreshTokenHardExpiresIn}) at various distances; the checks run by hand.
 */
class ReauthDueNoticesTest extends SchedulerApiTestBase {

    @Autowired
    private ReauthDueNotices notices;
    @Autowired
    private RabbitAdmin admin;
    @Autowired
    private RabbitTemplate rabbit;
    @Autowired
    private RefresherTopology topology;
    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private MeterRegistry meters;

    private EventSubscription subscription;

    @BeforeEach
    void subscribe() {
        subscription = EventSubscription.open(admin, rabbit, topology, "connection.reauth_due.#");
    }

    @AfterEach
    void unsubscribe() {
        subscription.close();
    }

    @Test
    void eachConnectionGetsOneWarningAtTheNearestThresholdItCrossedAndNoneTwice() {
        UUID in20Days = registerWithHardCap(Duration.ofDays(20));
        UUID in5Days = registerWithHardCap(Duration.ofDays(5));
        UUID in12Hours = registerWithHardCap(Duration.ofHours(12));
        UUID in60Days = registerWithHardCap(Duration.ofDays(60));
        Set<UUID> mine = Set.of(in20Days, in5Days, in12Hours, in60Days);

        notices.check();
        Map<UUID, JsonNode> first = warnings(mine, 3);

        assertThat(first.keySet()).containsExactlyInAnyOrder(in20Days, in5Days, in12Hours);
        assertThat(first.get(in20Days).get("daysAhead").asInt()).isEqualTo(30);
        assertThat(first.get(in5Days).get("daysAhead").asInt()).isEqualTo(7);
        assertThat(first.get(in12Hours).get("daysAhead").asInt()).isEqualTo(1);
        assertThat(first.get(in5Days).get("reason").asString()).isEqualTo("hard_expiry");
        assertThat(Instant.parse(first.get(in5Days).get("reauthDueAt").asString())).isBetween(Instant.now().plus(
                Duration.ofDays(5)).minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(5)));

        notices.check();
        assertThat(warnings(mine, 0)).as("a second check sends nothing new").isEmpty();

        // time passes for the 20-day one: it is 6 days from its cap now
        jdbc.sql("UPDATE connection SET refresh_hard_expires_at = now() + interval '6 days' WHERE id = :id").param(
                "id", in20Days).update();
        notices.check();
        Map<UUID, JsonNode> third = warnings(mine, 1);
        assertThat(third.keySet()).containsExactly(in20Days);
        assertThat(third.get(in20Days).get("daysAhead").asInt()).isEqualTo(7);
    }

    @Test
    void aRefreshTokenNearItsRollingExpiryIsWarnedAndForgottenOnceRefreshesExtendItAndTheGaugeFollows() {
        Minted minted = mint();
        Map<String, Object> request = registration(PROVIDER, minted, 3000);
        request.put("obtainedAt", Instant.now().toString());
        request.put("refreshTokenExpiresIn", Duration.ofDays(3).toSeconds());
        UUID connection = UUID.fromString(post("/api/connections", ADMIN_KEY, request).body().get("id").asString());

        notices.check();
        JsonNode warning = warnings(Set.of(connection), 1).get(connection);
        assertThat(warning.get("reason").asString()).isEqualTo("refresh_token_expiry");
        assertThat(warning.get("daysAhead").asInt()).isEqualTo(7);
        double dueIn7Days = gauge(7);
        assertThat(dueIn7Days).isGreaterThanOrEqualTo(1);

        // refreshes resumed: the rolling expiry is 100 days away again
        jdbc.sql("UPDATE connection SET refresh_expires_at = now() + interval '100 days' WHERE id = :id").param("id",
                connection).update();
        notices.check();

        assertThat(noWarningRecorded(connection)).as("warnings forgotten once the danger passed").isTrue();
        assertThat(gauge(7)).isEqualTo(dueIn7Days - 1);
        // and a registration again (the tenant reconnected) starts them again too
        jdbc.sql("UPDATE connection SET reauth_warned_days = 1 WHERE id = :id").param("id", connection).update();
        request.put("refreshTokenExpiresIn", Duration.ofDays(100).toSeconds());
        assertThat(post("/api/connections", ADMIN_KEY, request).status()).isEqualTo(200);
        assertThat(noWarningRecorded(connection)).as("a registration starts the warnings again").isTrue();
    }

    private boolean noWarningRecorded(UUID connection) {
        return jdbc.sql("SELECT reauth_warned_days IS NULL FROM connection WHERE id = :id").param("id", connection)
                .query(Boolean.class).single();
    }

    private double gauge(int days) {
        return meters.get("refresher.connections.reauth_due").tag("within_days", String.valueOf(days)).gauge()
                .value();
    }

    @Test
    void theListFilterNamesTheConnectionsDueWithinTheGivenTime() {
        UUID soon = registerWithHardCap(Duration.ofDays(10));
        UUID later = registerWithHardCap(Duration.ofDays(100));

        JsonNode within30 = get("/api/connections?reauthDueWithin=P30D&limit=1000", ADMIN_KEY).body();
        List<String> ids = within30.get("items").findValuesAsString("id");

        assertThat(ids).contains(soon.toString()).doesNotContain(later.toString());
        JsonNode view = get("/api/connections/" + soon, ADMIN_KEY).body();
        assertThat(Instant.parse(view.get("refreshHardExpiresAt").asString())).isBefore(Instant.now().plus(Duration
                .ofDays(10)).plusSeconds(1));
        assertThat(get("/api/connections?reauthDueWithin=soon", ADMIN_KEY).status()).isEqualTo(400);
        assertThat(get("/api/connections?reauthDueWithin=-P1D", ADMIN_KEY).body().get("errors").get(0).get("field")
                .asString()).isEqualTo("reauthDueWithin");
    }

    private UUID registerWithHardCap(Duration hardCapIn) {
        Minted minted = mint();
        Map<String, Object> request = registration(PROVIDER, minted, 3000);
        request.put("obtainedAt", Instant.now().toString());
        request.put("refreshTokenHardExpiresIn", hardCapIn.toSeconds());
        Response response = post("/api/connections", ADMIN_KEY, request);
        assertThat(response.status()).as("registration: %s", response.body()).isEqualTo(201);
        return UUID.fromString(response.body().get("id").asString());
    }

    /**
     * The reauth_due events for {@code mine} that arrived since the last call, by connection, once {@code expected} of
     * them did; for none expected, what arrived within half a second.
     */
    private Map<UUID, JsonNode> warnings(Set<UUID> mine, int expected) {
        Map<UUID, JsonNode> byConnection = new HashMap<>();
        Callable<Boolean> drained = () -> {
            for (Message message : subscription.drain()) {
                JsonNode event = EventSubscription.json(message);
                assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("connection.reauth_due."
                        + event.get("provider").asString());
                UUID id = UUID.fromString(event.get("connectionId").asString());
                if (mine.contains(id)) {
                    assertThat(byConnection.put(id, event)).as("one warning for %s", id).isNull();
                }
            }
            return byConnection.size() >= expected;
        };
        if (expected == 0) {
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> drained.call()
                    && byConnection.isEmpty());
        } else {
            await().atMost(Duration.ofSeconds(10)).until(drained);
        }
        return byConnection;
    }
}
