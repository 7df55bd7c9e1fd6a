package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import tools.jackson.databind.ObjectMapper;

/** A message that kills its consumer every time must end in the dead-letter queue, not loop forever. */
class WorkQueueDeliveryLimitTest {

    private static final String PROVIDER = "delivery-limit-test";

    @Test
    void messageThatAlwaysFailsIsDeadLetteredAfterTheDeliveryLimit() {
        TestServices.Namespace namespace = TestServices.get().newNamespace();
        MessagingProperties properties = new MessagingProperties(namespace.messagingPrefix(), 3, null, null, null,
                null, null);
        CachingConnectionFactory factory = RabbitFixtures.connectionFactory();
        RefresherTopology topology = RabbitFixtures.declareTopology(factory, properties, List.of(PROVIDER));
        RefreshPublisher publisher = new RefreshPublisher(factory, topology, new RefreshMessageCodec(
                new ObjectMapper()), properties);
        AtomicInteger deliveries = new AtomicInteger();
        SimpleMessageListenerContainer crashing = new SimpleMessageListenerContainer(factory);
        crashing.setQueueNames(topology.workQueue(PROVIDER));
        crashing.setDefaultRequeueRejected(true);
        crashing.setMessageListener(message -> {
            deliveries.incrementAndGet();
            throw new IllegalStateException("simulated consumer crash");
        });
        try {
            crashing.start();
            Instant now = Instant.now();
            publisher.publish(PROVIDER, new RefreshMessage(UUID.randomUUID(), 1, now, 0), now);

            RabbitTemplate rabbit = new RabbitTemplate(factory);
            Message dead = await().atMost(Duration.ofSeconds(20)).until(
                    () -> rabbit.receive(topology.deadLetterQueue()), message -> message != null);

            // x-delivery-limit counts failed redeliveries: the first delivery plus three more.
            assertThat(deliveries).hasValue(4);
            assertThat(dead.getMessageProperties().getHeaders().get("x-first-death-reason").toString())
                    .isEqualTo("delivery_limit");
        } finally {
            crashing.stop();
            factory.destroy();
        }
    }
}
