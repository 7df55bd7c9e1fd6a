package dev.tokenrefresher.common.messaging;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Sends dead letters to {@code {prefix}.dead} and waits for the confirm: the caller acks the original only after the
 * dead letter is safe, so nothing is lost between the two.
 */
public class DeadLetterPublisher {

    private final RabbitTemplate rabbit;
    private final RefresherTopology topology;
    private final MessagingProperties properties;

    public DeadLetterPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            MessagingProperties properties) {
        this.rabbit = new RabbitTemplate(connectionFactory);
        this.rabbit.setMandatory(true);
        this.topology = topology;
        this.properties = properties;
    }

    /** @throws DeadLetterFailedException if the broker did not confirm it; the original must not be acked then */
    public void publish(DeadLetter letter) {
        MessageProperties headers = new MessageProperties();
        headers.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        headers.setContentType(RefreshMessageCodec.CONTENT_TYPE);
        headers.setMessageId(letter.messageId());
        headers.setHeader(DeadLetterHeaders.REASON, letter.reason());
        setIfPresent(headers, DeadLetterHeaders.ERROR_CODE, letter.errorCode());
        setIfPresent(headers, DeadLetterHeaders.DETAIL, letter.detail());
        setIfPresent(headers, DeadLetterHeaders.PROVIDER, letter.provider());
        setIfPresent(headers, DeadLetterHeaders.CONNECTION_ID, letter.connectionId());
        headers.setHeader(DeadLetterHeaders.ATTEMPTS, letter.attempts());
        setIfPresent(headers, DeadLetterHeaders.HTTP_STATUS, letter.httpStatus());
        setIfPresent(headers, DeadLetterHeaders.FIRST_FAILURE_AT, letter.firstFailureAt());
        setIfPresent(headers, DeadLetterHeaders.LAST_FAILURE_AT, letter.lastFailureAt());
        setIfPresent(headers, DeadLetterHeaders.WORKER, letter.worker());
        CorrelationData correlation = new CorrelationData();
        rabbit.send(topology.deadLetterExchange(), "", new Message(letter.body(), headers), correlation);
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(properties.confirmTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!confirm.ack() || correlation.getReturned() != null) {
                throw new DeadLetterFailedException(letter.connectionId(), letter.reason(),
                        "not accepted by the broker");
            }
        } catch (TimeoutException e) {
            throw new DeadLetterFailedException(letter.connectionId(), letter.reason(), "no confirm within "
                    + properties.confirmTimeout());
        } catch (ExecutionException e) {
            throw new DeadLetterFailedException(letter.connectionId(), letter.reason(), "confirm failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterFailedException(letter.connectionId(), letter.reason(), "interrupted");
        }
    }

    private static void setIfPresent(MessageProperties headers, String name, Object value) {
        if (value != null) {
            headers.setHeader(name, value instanceof Number ? value : value.toString());
        }
    }
}
