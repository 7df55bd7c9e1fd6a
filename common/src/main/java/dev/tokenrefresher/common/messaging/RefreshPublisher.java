package dev.tokenrefresher.common.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Publishes refresh messages into the delay ladder and waits for the broker's confirms.
 *
 * <p>A message counts as sent only when the broker confirmed it and did not return it as unroutable. Batches are sent
 * first and confirmed after, so one slow confirm does not serialize a whole sweep.
 *
 * <p>A long delay is cut short by up to {@code refresher.messaging.ladder-early-fraction} of it when that spares ladder
 * levels ({@link DelayLadder#coarsen}); the message sent then carries the earlier due time, so a worker takes it when it
 * arrives instead of delaying it again.
 */
public class RefreshPublisher {

    private final RabbitTemplate rabbit;
    private final RefresherTopology topology;
    private final RefreshMessageCodec codec;
    private final Duration confirmTimeout;
    private final double ladderEarlyFraction;

    public RefreshPublisher(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            RefreshMessageCodec codec, MessagingProperties properties) {
        if (!connectionFactory.isPublisherConfirms() || !connectionFactory.isPublisherReturns()) {
            throw new IllegalStateException("publisher confirms and returns must be enabled: "
                    + "spring.rabbitmq.publisher-confirm-type=correlated, spring.rabbitmq.publisher-returns=true");
        }
        this.rabbit = new RabbitTemplate(connectionFactory);
        this.rabbit.setMandatory(true);
        this.topology = topology;
        this.codec = codec;
        this.confirmTimeout = properties.confirmTimeout();
        this.ladderEarlyFraction = properties.ladderEarlyFraction();
    }

    /** A message to publish: for which provider's work queue, and when it is due. */
    public record Outgoing(String provider, RefreshMessage message) {
    }

    /** Publishes one message, delayed until its {@code dueAt}, and waits for the confirm. */
    public void publish(String provider, RefreshMessage message, Instant now) {
        List<PublishFailedException> failures = publishAll(List.of(new Outgoing(provider, message)), now);
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    /**
     * Publishes messages, then waits for all their confirms.
     *
     * @return the messages that were not confirmed, as exceptions naming them; empty if all were
     */
    public List<PublishFailedException> publishAll(List<Outgoing> outgoing, Instant now) {
        List<Pending> pending = new ArrayList<>(outgoing.size());
        List<PublishFailedException> failures = new ArrayList<>();
        // One channel for the whole batch: a channel with confirms outstanding does not go back to the cache at once,
        // so sending each message on a channel of its own would open (and close) a channel per message.
        try {
            rabbit.invoke(operations -> {
                for (Outgoing out : outgoing) {
                    long exact = DelayLadder.delaySeconds(Duration.between(now, out.message().dueAt()));
                    long delay = DelayLadder.coarsen(exact, ladderEarlyFraction);
                    RefreshMessage message = out.message().dueEarlier(Duration.ofSeconds(exact - delay));
                    CorrelationData correlation = new CorrelationData(message.messageId());
                    operations.send(topology.exchangeFor(delay), DelayLadder.routingKey(delay, RefresherTopology
                            .destination(out.provider())), toAmqp(message), correlation);
                    pending.add(new Pending(message, correlation));
                }
                return null;
            });
        } catch (AmqpException e) {
            // no channel, or it broke mid-batch: what was not sent is a failure, what was sent awaits its confirm
            for (Outgoing out : outgoing.subList(pending.size(), outgoing.size())) {
                failures.add(new PublishFailedException(out.message().connectionId(), out.message().fence(),
                        "send failed: " + e.getClass().getSimpleName()));
            }
        }
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        for (Pending p : pending) {
            String problem = awaitConfirm(p.correlation(), deadline);
            if (problem != null) {
                failures.add(new PublishFailedException(p.message().connectionId(), p.message().fence(), problem));
            }
        }
        return failures;
    }

    private String awaitConfirm(CorrelationData correlation, long deadline) {
        try {
            CorrelationData.Confirm confirm = correlation.getFuture()
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!confirm.ack()) {
                return "nacked by the broker" + (confirm.reason() == null ? "" : ": " + confirm.reason());
            }
            if (correlation.getReturned() != null) {
                return "returned as unroutable: " + correlation.getReturned().getReplyText();
            }
            return null;
        } catch (TimeoutException e) {
            return "no confirm within " + confirmTimeout;
        } catch (ExecutionException e) {
            return "confirm failed: " + e.getCause().getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for the confirm";
        }
    }

    private Message toAmqp(RefreshMessage message) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(RefreshMessageCodec.CONTENT_TYPE);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(message.messageId());
        return new Message(codec.encode(message), properties);
    }

    private record Pending(RefreshMessage message, CorrelationData correlation) {
    }
}
