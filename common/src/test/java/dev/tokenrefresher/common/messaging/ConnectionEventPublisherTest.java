package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.ObjectMapper;

/** Events on the real broker: routed ones all arrive, a routing key nobody is bound to is dropped once returned. */
class ConnectionEventPublisherTest {

    private static final String PROVIDER = "events-test";
    /** The clock stands still: a returned key's probe (an hour later) never comes due within a test. */
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private CachingConnectionFactory factory;
    private RefresherTopology topology;
    private RabbitAdmin admin;
    private ConnectionEventPublisher publisher;
    private final List<Queue> queues = new ArrayList<>();

    @BeforeEach
    void declareTheEventsExchange() {
        TestServices.Namespace namespace = TestServices.get().newNamespace();
        MessagingProperties properties = new MessagingProperties(namespace.messagingPrefix(), null, null, null, null,
                Duration.ofHours(1), null);
        factory = RabbitFixtures.connectionFactory();
        topology = RabbitFixtures.declareTopology(factory, properties, List.of(PROVIDER));
        admin = new RabbitAdmin(factory);
        publisher = new ConnectionEventPublisher(factory, topology, new ObjectMapper(),
                properties, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void deleteQueues() {
        queues.forEach(queue -> admin.deleteQueue(queue.getName()));
        admin.deleteExchange(topology.eventsExchange());
        factory.destroy();
    }

    @Test
    void everyEventOfABoundKeyArrives() {
        Queue subscriber = subscribe("connection.refreshed.#");
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

        publisher.publishAll(ids.stream().map(this::refreshed).toList());

        assertThat(receive(subscriber, ids.size())).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aKeyNobodyIsBoundToIsDroppedOnceTheBrokerReturnedItWhileOtherKeysStillArrive() {
        ConnectionEvent unread = refreshed(UUID.randomUUID());
        publisher.publish(unread);
        await().atMost(Duration.ofSeconds(10)).until(() -> !publisher.unroutedKeys().shouldPublish(unread
                .routingKey(), NOW));
        Queue subscriber = subscribe("connection.#");
        UUID dropped = UUID.randomUUID();
        UUID reauth = UUID.randomUUID();

        publisher.publishAll(List.of(refreshed(dropped), ConnectionEvent.failure(ConnectionEvent.REAUTH_REQUIRED,
                reauth, "tenant", PROVIDER, "invalid_grant", NOW)));

        // the refreshed event was dropped before it was sent; the reauth_required one was not
        assertThat(receive(subscriber, 1)).containsExactly(reauth);
        assertThat(new RabbitTemplate(factory).receive(subscriber.getName())).isNull();
    }

    private ConnectionEvent refreshed(UUID connectionId) {
        return ConnectionEvent.refreshed(ConnectionEvent.REFRESHED, connectionId, "tenant", PROVIDER, NOW
                .plusSeconds(3600), NOW);
    }

    private Queue subscribe(String bindingKey) {
        Queue queue = new AnonymousQueue();
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(new TopicExchange(topology.eventsExchange())).with(
                bindingKey));
        queues.add(queue);
        return queue;
    }

    /** The connection ids of the next {@code count} events in the queue, in their order. */
    private List<UUID> receive(Queue queue, int count) {
        RabbitTemplate rabbit = new RabbitTemplate(factory);
        List<UUID> received = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Message message = rabbit.receive(queue.getName());
            if (message != null) {
                received.add(UUID.fromString(json.readTree(message.getBody()).get("connectionId").asString()));
            }
            return received.size() >= count;
        });
        return received;
    }
}
