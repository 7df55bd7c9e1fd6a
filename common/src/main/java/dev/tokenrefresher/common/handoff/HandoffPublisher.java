package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Puts a refresh's issued tokens on the hand-off queue and waits for the broker's confirm: a quorum queue confirms a
 * message once a majority of its replicas has written it to disk, so from then on the tokens survive this process.
 */
final class HandoffPublisher {

    /** Header naming the connection, for operators reading the queue; the body's tokens are encrypted. */
    static final String CONNECTION_HEADER = "x-connection-id";

    private final RabbitTemplate rabbit;
    private final RefresherTopology topology;
    private final HandoffCodec codec;
    private final HandoffProperties properties;

    HandoffPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology, HandoffCodec codec,
            HandoffProperties properties) {
        this.rabbit = new RabbitTemplate(connectionFactory);
        this.rabbit.setMandatory(true);
        this.topology = topology;
        this.codec = codec;
        this.properties = properties;
    }

    /** @throws HandoffFailedException if the broker did not confirm it; the tokens are then still only in memory */
    void publish(RefreshToStore refresh) {
        UUID connectionId = refresh.claim().connectionId();
        MessageProperties headers = new MessageProperties();
        headers.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        headers.setContentType(HandoffCodec.CONTENT_TYPE);
        headers.setMessageId(connectionId + "/" + refresh.claim().fence());
        headers.setHeader(CONNECTION_HEADER, connectionId.toString());
        CorrelationData correlation = new CorrelationData();
        try {
            rabbit.send(topology.handoffExchange(), "", new Message(codec.encode(refresh), headers), correlation);
            CorrelationData.Confirm confirm = correlation.getFuture().get(properties.confirmTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!confirm.ack() || correlation.getReturned() != null) {
                throw new HandoffFailedException(connectionId, "not accepted by the broker");
            }
        } catch (AmqpException e) {
            throw new HandoffFailedException(connectionId, "broker unreachable (" + e.getClass().getSimpleName()
                    + ")");
        } catch (TimeoutException e) {
            throw new HandoffFailedException(connectionId, "no confirm within " + properties.confirmTimeout());
        } catch (ExecutionException e) {
            throw new HandoffFailedException(connectionId, "confirm failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HandoffFailedException(connectionId, "interrupted");
        }
    }
}
