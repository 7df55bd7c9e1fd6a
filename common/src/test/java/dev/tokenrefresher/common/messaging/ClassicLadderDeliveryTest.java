package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import tools.jackson.databind.ObjectMapper;

/** The ladder built from classic queues ({@code ladder-queue-type=classic}) on the real broker. */
class ClassicLadderDeliveryTest {

    private static final String PROVIDER = "classic-ladder-test";

    private static CachingConnectionFactory factory;
    private static RefresherTopology topology;
    private static RefreshPublisher publisher;
    private static RefreshMessageCodec codec;

    @BeforeAll
    static void declareClassicLadder() {
        factory = RabbitFixtures.connectionFactory();
        MessagingProperties classic = new MessagingProperties(TestServices.get().defaultNamespace().messagingPrefix()
                + "-classic", null, null, LadderQueueType.CLASSIC, null, null, null);
        topology = RabbitFixtures.declareTopology(factory, classic, List.of(PROVIDER));
        codec = new RefreshMessageCodec(new ObjectMapper());
        publisher = new RefreshPublisher(factory, topology, codec, classic);
    }

    @AfterAll
    static void deleteClassicLadder() {
        // its prefix is not the test JVM's namespace, which is all the fixtures delete at exit
        RabbitAdmin admin = new RabbitAdmin(factory);
        topology.queueNames(List.of(PROVIDER)).forEach(admin::deleteQueue);
        topology.exchangeNames().forEach(admin::deleteExchange);
        factory.destroy();
    }

    @Test
    void classicLevelsDeliverInDueOrderWithinOneAndAHalfSecondsOfTheDueTime() {
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
        container.setQueueNames(topology.workQueue(PROVIDER));
        container.setMessageListener(message -> arrivals.add(new Arrival(codec.decode(message.getBody(), null),
                Instant.now())));
        container.start();
        try {
            Instant now = Instant.now();
            // 5 = L02 then L00 (two hops through classic dead-lettering), 2 = L01, 3 = L01 then L00
            for (int delay : new int[]{5, 2, 3}) {
                publisher.publish(PROVIDER, new RefreshMessage(UUID.randomUUID(), delay, now.plusSeconds(delay), 0),
                        now);
            }

            await().atMost(Duration.ofSeconds(15)).until(() -> arrivals.size() == 3);

            // the fence carries the delay, to tell the messages apart
            assertThat(arrivals).extracting(arrival -> arrival.message().fence()).containsExactly(2L, 3L, 5L);
            assertThat(arrivals).allSatisfy(arrival -> assertThat(Duration.between(arrival.message().dueAt(),
                    arrival.at())).isLessThanOrEqualTo(Duration.ofMillis(1500)));
        } finally {
            container.stop();
        }
    }

    private record Arrival(RefreshMessage message, Instant at) {
    }
}
