package dev.tokenrefresher.common.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenrefresher.common.connection.Claim;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes {@link ConnectionEvent}s without waiting for them: the state an event announces is in PostgreSQL already,
 * and a refresh must neither fail nor slow down because nobody could be told about it. A send that fails, a nack and
 * a missing confirm are logged (with the event's type and connection id, nothing else).
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

    /**
     * After a stored refresh: {@code refreshed}, and {@code recovered} too when it ends a run of failures (the claim
     * began after one). Workers and on-demand refreshes announce alike through here.
     */
    public void refreshed(Claim claim, Instant accessExpiresAt, Instant now) {
        publish(ConnectionEvent.refreshed(ConnectionEvent.REFRESHED, claim.connectionId(), claim.tenantId(), claim
                .provider(), accessExpiresAt, now));
        if (claim.firstFailureAt() != null) {
            publish(ConnectionEvent.refreshed(ConnectionEvent.RECOVERED, claim.connectionId(), claim.tenantId(), claim
                    .provider(), accessExpiresAt, now));
        }
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
        } catch (JsonProcessingException | AmqpException e) {
            log.warn("event {} for connection {} was not published: {}", event.type(), event.connectionId(),
                    e.getClass().getSimpleName());
            return;
        }
        correlation.getFuture()
                .orTimeout(properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((confirm, failure) -> {
                    if (failure != null) {
                        log.warn("event {} for connection {} was not confirmed: {}", event.type(), event
                                .connectionId(), failure.getClass().getSimpleName());
                    } else if (!confirm.isAck()) {
                        log.warn("event {} for connection {} was nacked by the broker", event.type(), event
                                .connectionId());
                    }
                });
    }
}
