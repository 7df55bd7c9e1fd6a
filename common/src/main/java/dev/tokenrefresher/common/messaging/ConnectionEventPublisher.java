package dev.tokenrefresher.common.messaging;

import dev.tokenrefresher.common.connection.Claim;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Publishes {@link ConnectionEvent}s without waiting for them: the state an event announces is in PostgreSQL already,
 * and a refresh must neither fail nor slow down because nobody could be told about it. A send that fails, a nack and
 * a missing confirm are logged (with the event's type and connection id, nothing else).
 *
 * <p>Events go out with the mandatory flag: a routing key that no queue is bound to comes back, and its events are
 * dropped until the next probe ({@code refresher.messaging.event-probe-interval}). Announcing every refresh to nobody
 * cost a worker a tenth of its CPU.
 */
public class ConnectionEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(ConnectionEventPublisher.class);

    private final RabbitTemplate rabbit;
    private final RefresherTopology topology;
    private final ObjectMapper json;
    private final MessagingProperties properties;
    private final UnroutedEventKeys unrouted;
    private final Clock clock;

    public ConnectionEventPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            ObjectMapper json, MessagingProperties properties, Clock clock) {
        this.rabbit = new RabbitTemplate(connectionFactory);
        this.topology = topology;
        this.json = json;
        this.properties = properties;
        this.unrouted = new UnroutedEventKeys(properties.eventProbeInterval());
        this.clock = clock;
        // an event whose routing key no queue is bound to comes back (before its confirm)
        this.rabbit.setMandatory(true);
        this.rabbit.setReturnsCallback(returned -> {
            log.debug("no queue is bound to {}: its events are dropped until the next probe", returned
                    .getRoutingKey());
            unrouted.returned(returned.getRoutingKey(), clock.instant());
        });
    }

    /**
     * After a stored refresh: {@code refreshed}, and {@code recovered} too when it ends a run of failures (the claim
     * began after one) or revives a connection marked REAUTH_REQUIRED on the token it consumed. Workers and on-demand refreshes announce alike through here.
     */
    public void refreshed(Claim claim, Instant accessExpiresAt, Instant now, boolean revived) {
        refreshedEvents(claim, accessExpiresAt, now, revived).forEach(this::publish);
    }

    /**
     * The events that announce a stored refresh; see {@link #refreshed}.
     *
     * @param revived the store made a connection marked REAUTH_REQUIRED on the consumed token ACTIVE again: that is a
     *            recovery too
     */
    public static List<ConnectionEvent> refreshedEvents(Claim claim, Instant accessExpiresAt, Instant now,
            boolean revived) {
        ConnectionEvent refreshed = ConnectionEvent.refreshed(ConnectionEvent.REFRESHED, claim.connectionId(), claim
                .tenantId(), claim.provider(), accessExpiresAt, now);
        if (claim.firstFailureAt() == null && !revived) {
            return List.of(refreshed);
        }
        return List.of(refreshed, ConnectionEvent.refreshed(ConnectionEvent.RECOVERED, claim.connectionId(), claim
                .tenantId(), claim.provider(), accessExpiresAt, now));
    }

    /** Publishes events on one channel, without waiting; see {@link #publish(ConnectionEvent)}. */
    public void publishAll(List<ConnectionEvent> events) {
        Instant now = clock.instant();
        List<ConnectionEvent> wanted = events.stream().filter(event -> unrouted.shouldPublish(event.routingKey(),
                now)).toList();
        if (wanted.isEmpty()) {
            return;
        }
        try {
            // one channel for all: a channel with confirms outstanding does not go back to the cache at once
            rabbit.invoke(operations -> {
                wanted.forEach(event -> send(operations, event));
                return null;
            });
        } catch (AmqpException e) {
            log.warn("{} events were not published: {}", wanted.size(), e.getClass().getSimpleName());
        }
    }

    public void publish(ConnectionEvent event) {
        if (unrouted.shouldPublish(event.routingKey(), clock.instant())) {
            send(rabbit, event);
        }
    }

    /** The routing keys whose events are dropped for now; for tests that wait for a return to arrive. */
    UnroutedEventKeys unroutedKeys() {
        return unrouted;
    }

    private void send(RabbitOperations operations, ConnectionEvent event) {
        MessageProperties headers = new MessageProperties();
        headers.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        headers.setContentType(RefreshMessageCodec.CONTENT_TYPE);
        headers.setType(event.type());
        CorrelationData correlation = new CorrelationData();
        try {
            operations.send(topology.eventsExchange(), event.routingKey(), new Message(json.writeValueAsBytes(event),
                    headers), correlation);
        } catch (JacksonException | AmqpException e) {
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
                    } else if (!confirm.ack()) {
                        log.warn("event {} for connection {} was nacked by the broker", event.type(), event
                                .connectionId());
                    }
                });
    }
}
