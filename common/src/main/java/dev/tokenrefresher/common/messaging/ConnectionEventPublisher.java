package dev.tokenrefresher.common.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes {@link ConnectionEvent}s. An event that the broker does not confirm is logged, not retried: the state it
 * announces is in PostgreSQL already, and a refresh must not fail because nobody could be told about it.
 */
public class ConnectionEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(ConnectionEventPublisher.class);

    private final RabbitTemplate rabbit;
    private final RefresherTopology topology;
    private final ObjectMapper json;
    private final MessagingProperties properties;

    public ConnectionEventPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            ObjectMapper json, MessagingProperties properties) {
        this.rabbit = new RabbitTemplate(connectionFactory);
        this.topology = topology;
        this.json = json;
        this.properties = properties;
    }

    public void publish(ConnectionEvent event) {
        MessageProperties headers = new MessageProperties();
        headers.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        headers.setContentType(RefreshMessageCodec.CONTENT_TYPE);
        headers.setType(event.type());
        CorrelationData correlation = new CorrelationData();
        try {
            rabbit.send(topology.eventsExchange(), event.routingKey(), new Message(json.writeValueAsBytes(event),
                    headers), correlation);
            if (!correlation.getFuture().get(properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS).isAck()) {
                log.warn("event {} for connection {} was nacked by the broker", event.type(), event.connectionId());
            }
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("event {} for connection {} was not published: {}", event.type(), event.connectionId(),
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
