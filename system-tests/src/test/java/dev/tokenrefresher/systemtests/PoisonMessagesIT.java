package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;

/** Garbage in the work queue is dead-lettered with its reason, and the refreshes around it go on. */
class PoisonMessagesIT {

    @Test
    void poisonMessagesAreDeadLetteredWithTheirReason() {
        poisonRun(false);
    }

    @Test
    void validConnectionsKeepRefreshingAroundPoisonMessages() {
        poisonRun(true);
    }

    private void poisonRun(boolean checkRefreshing) {
        try (RunningSystem system = RunningSystem.start("poison", 2, ShortTokenSettings.SANDBOX,
                ShortTokenSettings.refresher())) {
            List<ResilienceIT.Registered> connections = ResilienceIT.register(system, 100);
            String due = Instant.now().toString();
            Map<String, String> poison = new LinkedHashMap<>();
            poison.put("poison-not-json", "this is not JSON {");
            poison.put("poison-missing-fields", "{\"connectionId\":\"" + connections.getFirst().id() + "\"}");
            poison.put("poison-mistyped", "{\"connectionId\":\"" + connections.getFirst().id()
                    + "\",\"fence\":\"one\",\"dueAt\":\"" + due + "\",\"attempt\":0}");
            poison.put("poison-oversized", "{\"connectionId\":\"" + connections.getFirst().id() + "\",\"fence\":1,"
                    + "\"dueAt\":\"" + due + "\",\"attempt\":0,\"padding\":\"" + "x".repeat(4096) + "\"}");
            poison.put("poison-unknown-connection", "{\"connectionId\":\"" + UUID.randomUUID() + "\",\"fence\":1,"
                    + "\"dueAt\":\"" + due + "\",\"attempt\":0}");
            long refreshesBefore = system.sandbox().stats().get("refreshes").asLong();
            Instant sent = Instant.now();

            // Plain sends, as a buggy or hostile producer would make them: no confirms, so no confirm thread outlives
            // the factory (Awaitility would report its exception from any thread as this test's failure).
            CachingConnectionFactory rabbit = RabbitFixtures.connectionFactory();
            rabbit.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.NONE);
            rabbit.setPublisherReturns(false);
            try {
                RabbitTemplate template = new RabbitTemplate(rabbit);
                String queue = new RefresherTopology(RabbitFixtures.messagingProperties(system.namespace()))
                        .workQueue(RunningSystem.PROVIDER);
                poison.forEach((id, body) -> {
                    MessageProperties properties = new MessageProperties();
                    properties.setMessageId(id);
                    template.send("", queue, new Message(body.getBytes(StandardCharsets.UTF_8), properties));
                });
            } finally {
                rabbit.destroy();
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> system.deadLetters("").size() == poison.size());
            Map<String, String> reasons = new LinkedHashMap<>();
            for (JsonNode letter : system.deadLetters("")) {
                reasons.put(letter.get("messageId").asString(), letter.get("reason").asString());
            }
            assertThat(reasons).containsEntry("poison-not-json", "malformed")
                    .containsEntry("poison-missing-fields", "malformed")
                    .containsEntry("poison-mistyped", "malformed")
                    .containsEntry("poison-oversized", "malformed")
                    .containsEntry("poison-unknown-connection", "unknown_connection");

            if (!checkRefreshing) {
                return;
            }
            // Every valid connection is refreshed again after the poison arrived: the consumers kept consuming.
            await().atMost(Duration.ofSeconds(15)).until(() -> connections.stream().allMatch(c -> {
                JsonNode lastRefreshed = system.connection(c.id()).get("lastRefreshedAt");
                return lastRefreshed.isString() && Instant.parse(lastRefreshed.asString()).isAfter(sent);
            }));
            assertThat(system.sandbox().stats().get("refreshes").asLong())
                    .isGreaterThanOrEqualTo(refreshesBefore + 100);
            assertThat(system.sandbox().stats().get("invalidGrants").asLong()).isZero();
        }
    }
}
