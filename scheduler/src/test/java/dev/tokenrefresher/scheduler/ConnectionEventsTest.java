package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** What host apps subscribed to {@code refresher.events} see: typed events with the provider in the key, no tokens. */
class ConnectionEventsTest extends SchedulerApiTestBase {

    @Autowired
    private RabbitAdmin admin;
    @Autowired
    private RabbitTemplate rabbit;
    @Autowired
    private RefresherTopology topology;

    private EventSubscription subscription;

    @BeforeEach
    void subscribe() {
        subscription = EventSubscription.open(admin, rabbit, topology, "connection.#");
    }

    @AfterEach
    void unsubscribe() {
        subscription.close();
    }

    @Test
    void anOnDemandRefreshAnnouncesRefreshedWithTheProviderInTheRoutingKey() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 60);
        Response token = get("/api/connections/" + id + "/access-token", READER_KEY);
        assertThat(token.status()).isEqualTo(200);

        List<Message> events = subscription.awaitFor(id, 1);

        Message event = events.getFirst();
        assertThat(event.getMessageProperties().getReceivedRoutingKey()).isEqualTo("connection.refreshed." + PROVIDER);
        JsonNode body = json(event);
        assertThat(body.get("type").asString()).isEqualTo("refreshed");
        assertThat(body.get("connectionId").asString()).isEqualTo(id.toString());
        assertThat(body.has("tenantId")).isTrue();
        assertThat(body.has("accessExpiresAt")).isTrue();
        assertThat(text(event)).doesNotContain(minted.accessToken(), minted.refreshToken(), token.body().get(
                "accessToken").asString(), minted.realmId());
    }

    @Test
    void aRevokedConnectionAnnouncesReauthRequiredAndDeadLettered() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 60);
        revokeAtProvider(minted);
        assertThat(get("/api/connections/" + id + "/access-token", READER_KEY).status()).isEqualTo(409);

        List<Message> events = subscription.awaitFor(id, 2);

        assertThat(events).extracting(e -> e.getMessageProperties().getReceivedRoutingKey())
                .containsExactlyInAnyOrder("connection.reauth_required." + PROVIDER, "connection.dead_lettered."
                        + PROVIDER);
        assertThat(events).extracting(e -> json(e).get("reason").asString()).containsOnly("invalid_grant");
        events.forEach(e -> assertThat(text(e)).doesNotContain(minted.refreshToken(), minted.accessToken()));
    }

    private static JsonNode json(Message message) {
        return EventSubscription.json(message);
    }

    private static String text(Message message) {
        return new String(message.getBody(), StandardCharsets.UTF_8);
    }
}
