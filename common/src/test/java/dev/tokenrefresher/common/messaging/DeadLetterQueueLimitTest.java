package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * The dead-letter queue's delivery limit is the topology's, not the broker's default: RabbitMQ 4 would drop a letter
 * after 20 failed deliveries, 3.10 would loop on it forever. Here both keep retrying it up to
 * {@link RefresherTopology#DEAD_LETTER_DELIVERY_LIMIT} times and then move it, whole, to the unarchived queue, where an
 * operator can read it (not to the parked queue of hand-offs, whose messages go back elsewhere).
 */
class DeadLetterQueueLimitTest {

    private static final String PROVIDER = "dead-letter-limit-test";

    @Test
    void aLetterTheArchiveAlwaysFailsOnIsRetriedUpToTheLimitThenMovedToTheUnarchivedQueueNotDropped() {
        TestServices.Namespace namespace = TestServices.get().newNamespace();
        CachingConnectionFactory factory = RabbitFixtures.connectionFactory();
        RefresherTopology topology = RabbitFixtures.declareTopology(factory, RabbitFixtures.messagingProperties(
                namespace), List.of(PROVIDER));
        AtomicInteger deliveries = new AtomicInteger();
        SimpleMessageListenerContainer failingArchive = new SimpleMessageListenerContainer(factory);
        failingArchive.setQueueNames(topology.deadLetterQueue());
        failingArchive.setDefaultRequeueRejected(true);
        failingArchive.setMessageListener(message -> {
            deliveries.incrementAndGet();
            throw new IllegalStateException("simulated archive failure");
        });
        RabbitTemplate rabbit = new RabbitTemplate(factory);
        try {
            failingArchive.start();
            MessageProperties headers = new MessageProperties();
            headers.setMessageId("letter-1");
            headers.setHeader(DeadLetterHeaders.REASON, "invalid_grant");
            rabbit.send(topology.deadLetterExchange(), "", new Message("a letter".getBytes(StandardCharsets.UTF_8),
                    headers));

            Message parked = await().atMost(Duration.ofSeconds(90)).until(
                    () -> rabbit.receive(topology.unarchivedQueue()), message -> message != null);

            // the first delivery plus DEAD_LETTER_DELIVERY_LIMIT redeliveries, far past RabbitMQ 4's default of 20
            assertThat(deliveries).hasValue(RefresherTopology.DEAD_LETTER_DELIVERY_LIMIT + 1);
            assertThat(new String(parked.getBody(), StandardCharsets.UTF_8)).isEqualTo("a letter");
            assertThat(parked.getMessageProperties().getMessageId()).isEqualTo("letter-1");
            assertThat(parked.getMessageProperties().getHeaders()).containsEntry(DeadLetterHeaders.REASON,
                    "invalid_grant");
            assertThat(parked.getMessageProperties().getHeaders().get("x-first-death-reason").toString())
                    .isEqualTo("delivery_limit");
            assertThat(rabbit.receive(topology.parkedQueue())).isNull();
        } finally {
            failingArchive.stop();
            factory.destroy();
        }
    }
}
