package dev.tokenrefresher.scheduler;

import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** A host app's queue on the events exchange, as the tests subscribe: bound with one key, drained, deleted on close. */
public final class EventSubscription implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RabbitAdmin admin;
    private final RabbitTemplate rabbit;
    private final Queue queue;

    private EventSubscription(RabbitAdmin admin, RabbitTemplate rabbit, Queue queue) {
        this.admin = admin;
        this.rabbit = rabbit;
        this.queue = queue;
    }

    /** Declares an exclusive queue bound to {@code topology}'s events exchange with {@code bindingKey}. */
    public static EventSubscription open(RabbitAdmin admin, RabbitTemplate rabbit, RefresherTopology topology,
            String bindingKey) {
        Queue queue = new AnonymousQueue();
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(new TopicExchange(topology.eventsExchange())).with(
                bindingKey));
        return new EventSubscription(admin, rabbit, queue);
    }

    /** The events that arrived since the last call, without waiting. */
    public List<Message> drain() {
        List<Message> received = new ArrayList<>();
        Message message;
        while ((message = rabbit.receive(queue.getName())) != null) {
            received.add(message);
        }
        return received;
    }

    /** Waits up to 10 s until {@code count} events about {@code connectionId} arrived; the others are dropped. */
    public List<Message> awaitFor(UUID connectionId, int count) {
        List<Message> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            drain().stream().filter(message -> json(message).get("connectionId").asString().equals(connectionId
                    .toString())).forEach(received::add);
            return received.size() >= count;
        });
        return received;
    }

    public static JsonNode json(Message message) {
        return JSON.readTree(message.getBody());
    }

    @Override
    public void close() {
        admin.deleteQueue(queue.getName());
    }
}
