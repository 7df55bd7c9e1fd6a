package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.RabbitFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import tools.jackson.databind.ObjectMapper;

/** The ladder on the real broker: messages arrive in due order, on time. */
class DelayLadderDeliveryTest {

    private static final String PROVIDER = "ladder-test";
    private static final Duration ALLOWED_LATENESS = Duration.ofMillis(1500);

    private static CachingConnectionFactory factory;
    private static RefresherTopology topology;
    private static RefreshPublisher publisher;
    private static RefreshMessageCodec codec;

    @BeforeAll
    static void declareLadder() {
        factory = RabbitFixtures.connectionFactory();
        topology = RabbitFixtures.declareTopology(factory, List.of(PROVIDER));
        codec = new RefreshMessageCodec(new ObjectMapper());
        publisher = new RefreshPublisher(factory, topology, codec, RabbitFixtures.messagingProperties());
    }

    @AfterAll
    static void close() {
        factory.destroy();
    }

    @Test
    void messagesPublishedInMixedOrderArriveInDueOrderWithinOneAndAHalfSecondsOfTheirDueTime() {
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
        container.setQueueNames(topology.workQueue(PROVIDER));
        container.setMessageListener(message -> arrivals.add(new Arrival(codec.decode(message.getBody(),
                message.getMessageProperties().getMessageId()), Instant.now())));
        container.start();
        try {
            Instant now = Instant.now();
            for (int delay : new int[]{7, 1, 3}) {
                publisher.publish(PROVIDER, new RefreshMessage(UUID.randomUUID(), delay, now.plusSeconds(delay), 0),
                        now);
            }

            await().atMost(Duration.ofSeconds(15)).until(() -> arrivals.size() == 3);

            assertThat(arrivals).extracting(arrival -> arrival.message().fence()).containsExactly(1L, 3L, 7L);
            for (Arrival arrival : arrivals) {
                Duration lateness = Duration.between(arrival.message().dueAt(), arrival.at());
                System.out.printf("delay %d s arrived %d ms after its due time%n", arrival.message().fence(),
                        lateness.toMillis());
                assertThat(lateness).isLessThanOrEqualTo(ALLOWED_LATENESS);
            }
        } finally {
            container.stop();
        }
    }

    @Test
    void dueMessageGoesStraightToTheWorkQueue() {
        List<RefreshMessage> arrivals = new CopyOnWriteArrayList<>();
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
        container.setQueueNames(topology.workQueue(PROVIDER));
        container.setMessageListener(message -> arrivals.add(codec.decode(message.getBody(), null)));
        container.start();
        try {
            Instant now = Instant.now();
            RefreshMessage overdue = new RefreshMessage(UUID.randomUUID(), 99, now.minusSeconds(3600), 0);

            publisher.publish(PROVIDER, overdue, now);

            await().atMost(Duration.ofSeconds(2)).until(() -> arrivals.contains(overdue));
        } finally {
            container.stop();
        }
    }

    @Test
    void aFiftyMinuteDelayStartsThreeLevelsLowerAndCarriesItsEarlierDueTime() {
        RabbitTemplate rabbit = new RabbitTemplate(factory);
        Instant now = Instant.now();
        UUID connection = UUID.randomUUID();
        // 3000 s = 0b1011_1011_1000 (7 levels) is cut to 2816 s = 0b1011_0000_0000 (3 levels) by the default 1/16:
        // its first level is still 11 (2048 s), and the message names the time it will arrive
        publisher.publish(PROVIDER, new RefreshMessage(connection, 1, now.plusSeconds(3000), 0), now);

        List<RefreshMessage> waiting = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Message message = rabbit.receive(topology.levelName(11));
            if (message != null) {
                waiting.add(codec.decode(message.getBody(), null));
            }
            return waiting.stream().anyMatch(m -> m.connectionId().equals(connection));
        });

        assertThat(waiting).filteredOn(m -> m.connectionId().equals(connection)).singleElement()
                .satisfies(m -> assertThat(m.dueAt()).isEqualTo(now.plusSeconds(2816)));
    }

    private record Arrival(RefreshMessage message, Instant at) {
    }
}
